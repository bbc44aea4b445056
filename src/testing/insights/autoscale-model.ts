/** An autoscale setting as the simulator stores it (Microsoft.Insights/autoscalesettings). */

export interface AutoscaleProfileRecord {
    name: string;
    /** Strings, as ARM holds them (spec ScaleCapacity: minimum, maximum, default are strings). */
    capacity: { minimum: string; maximum: string; default: string };
    /** Stored as given; the simulator never evaluates metrics. */
    rules: unknown[];
}

export interface AutoscaleSettingRecord {
    id: string;
    name: string;
    resourceGroup: string;
    location: string;
    tags?: Record<string, string>;
    enabled: boolean;
    targetResourceUri: string;
    profiles: AutoscaleProfileRecord[];
}
