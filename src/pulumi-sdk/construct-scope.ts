/**
 * What changes when a component is built inside a Construct call, i.e. for a Python, Go, C#,
 * Java or YAML program through the component provider, rather than in a TypeScript program.
 *
 * Every failed Pulumi Output also rejects promises nobody awaits (its `isKnown` and `isSecret`), so
 * a value of ours that fails when it resolves is reported to Node as an unhandled rejection, many
 * times over. In a TypeScript program that is how Pulumi reports it. In the provider it is fatal
 * to everyone else: the provider host fails every Construct in flight with the first such error,
 * and the plugin runner prints each with `util.inspect(err, { colors: true })`, which can loop
 * for many seconds on Pulumi's stack frames (nodejs/node#64011). There our errors reach the engine
 * through the failing component's own outputs, which the Construct call awaits, so their
 * unhandled copies are dropped here; every other rejection goes on as before.
 */
import * as pulumi from "@pulumi/pulumi";
import { AzureNatRulesError } from "../core/errors";
import { inConstructCall } from "./pulumi-internals";
import { settle } from "./settle";

let filtering = false;

/** From the first component built in a Construct on, our own unhandled rejections stop reaching the provider host. */
export function handleOwnRejections(): void {
    if (filtering || !inConstructCall()) return;
    filtering = true;
    const emit = process.emit.bind(process) as (event: string | symbol, ...args: unknown[]) => boolean;
    (process as { emit: (event: string | symbol, ...args: unknown[]) => boolean }).emit = (event, ...args) => {
        // `true`: handled, so Node does not raise it again as an uncaught exception.
        if (event === "unhandledRejection" && args[0] instanceof AzureNatRulesError) return true;
        return emit(event, ...args);
    };
}

/**
 * In a Construct, a resource output (`rule`, `securityRule`) is sent as a reference once the
 * component's checks pass, and fails with their error otherwise: the resource itself would wait
 * forever for a registration that a failed check keeps from happening.
 */
export function exposeResourcesForConstruct(component: pulumi.ComponentResource, checked: pulumi.Output<unknown>, names: string[]): void {
    if (!inConstructCall()) return;
    const target = component as unknown as Record<string, unknown>;
    for (const name of names) {
        const resource = target[name] as pulumi.Resource | undefined;
        if (resource === undefined) continue;
        // Not `apply`: in preview the checks may be unknown, and the reference must still go out.
        const reference = settle(checked).then((s) => {
            if (s.state === "failed") throw s.error;
            return resource;
        });
        Object.defineProperty(target, name, { value: pulumi.output(reference), enumerable: true, configurable: true });
    }
}
