/**
 * Access for people and tools: port mappings as an OpenSSH client config and as an Ansible
 * inventory. Plain TypeScript with no Pulumi import; the CLI (`ssh-config`, `inventory`) and
 * programs (examples/ops-access) share it.
 */
import type { NatPortMapping } from "./mapping";
/** What an ssh config block or an inventory host is made of. */
export interface HostEntry {
    /** The name people and tools use: `Host <alias>`, the inventory host name. */
    alias: string;
    hostName: string;
    port: number;
    user: string;
}

/** OpenSSH client config (ssh_config(5)): one `Host` block per entry, with HostName, Port and User. */
export function formatSshConfig(hosts: readonly HostEntry[]): string {
    return hosts.map((h) => [`Host ${h.alias}`, `    HostName ${h.hostName}`, `    Port ${h.port}`, `    User ${h.user}`].join("\n")).join("\n\n") + "\n";
}

/** Ansible's inventory structure: `all.hosts.<name>` with ansible_host, ansible_port and ansible_user. */
export function ansibleInventory(hosts: readonly HostEntry[]): { all: { hosts: Record<string, { ansible_host: string; ansible_port: number; ansible_user: string }> } } {
    return { all: { hosts: Object.fromEntries(hosts.map((h) => [h.alias, { ansible_host: h.hostName, ansible_port: h.port, ansible_user: h.user }])) } };
}

/** The inventory as Ansible's YAML inventory format. */
export function formatInventoryYaml(hosts: readonly HostEntry[]): string {
    const lines = ["all:", "  hosts:"];
    if (hosts.length === 0) lines[1] = "  hosts: {}";
    for (const h of hosts) {
        lines.push(`    ${yamlScalar(h.alias)}:`, `      ansible_host: ${yamlScalar(h.hostName)}`, `      ansible_port: ${h.port}`, `      ansible_user: ${yamlScalar(h.user)}`);
    }
    return `${lines.join("\n")}\n`;
}

/** A string as a YAML scalar: plain when it cannot be read as anything else, else double-quoted (JSON's quoting is valid YAML). */
function yamlScalar(text: string): string {
    const plain = /^[A-Za-z_][A-Za-z0-9_.\-]*$/.test(text) && !/^(true|false|yes|no|on|off|null|y|n)$/i.test(text);
    const address = /^[0-9][0-9.]*[0-9]$/.test(text) && (text.match(/\./g) ?? []).length >= 2; // 203.0.113.1 is a string in YAML
    return plain || address ? text : JSON.stringify(text);
}

/** How {@link hostEntries} names hosts. */
export interface HostNaming {
    /** Aliases are `<hostPrefix>-<instance>`; "" gives the instance alone. */
    hostPrefix: string;
    /** The login user. @default "azureuser" */
    user?: string;
}

/**
 * One host per mapping, in instance order (numeric ids by value, then names). Mappings without a
 * frontend IP are left out: nothing can connect to them yet.
 */
export function hostEntries(mappings: readonly NatPortMapping[], naming: HostNaming): HostEntry[] {
    const user = naming.user ?? "azureuser";
    const numeric = (m: NatPortMapping) => (/^\d+$/.test(m.instance) ? Number(m.instance) : Number.POSITIVE_INFINITY);
    return [...mappings]
        .filter((m) => m.frontendIp !== "")
        .sort((a, b) => numeric(a) - numeric(b) || (a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : 0))
        .map((m) => ({ alias: naming.hostPrefix === "" ? m.instance : `${naming.hostPrefix}-${m.instance}`, hostName: m.frontendIp, port: m.frontendPort, user }));
}
