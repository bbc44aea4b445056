/**
 * Text output shared by the CLI commands: aligned tables of port mappings and ready ssh lines.
 */

/** What a mapping table shows; planned (core `PortMapping`) and real (`PortMappingEntry`) rows both fit. */
export interface MappingRow {
    instance: string;
    /** Inbound NAT rule name; the RULE column appears when any row has one. */
    rule?: string;
    protocol: string;
    /** `""` while the frontend IP is not known. */
    frontendIp: string;
    frontendPort: number;
    backendPort: number;
    /** `planned` or `azure`; the SOURCE column appears when any row has one. */
    source?: string;
}

/** Shown where the frontend IP is not known yet. */
export const UNKNOWN_IP = "<frontend-ip>";

/** Columns padded to their widest cell, separated by two spaces, no trailing blanks. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
    // A loop, not Math.max(...rows): spreading 100,000+ rows overflows the call stack.
    const widths = headers.map((header, column) => rows.reduce((widest, row) => Math.max(widest, (row[column] ?? "").length), header.length));
    const line = (cells: readonly string[]): string =>
        cells
            .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
            .join("  ")
            .trimEnd();
    return [line(headers), ...rows.map(line)].join("\n");
}

/** `instance → frontend IP:port → backend port` table, with rule, protocol and source when known. */
export function formatMappingTable(rows: readonly MappingRow[]): string {
    if (rows.length === 0) return "(no port mappings)";
    const withRule = rows.some((row) => row.rule !== undefined && row.rule !== "");
    const withSource = rows.some((row) => row.source !== undefined);
    const headers = ["INSTANCE", ...(withRule ? ["RULE"] : []), "PROTOCOL", "FRONTEND", "BACKEND PORT", ...(withSource ? ["SOURCE"] : [])];
    const cells = rows.map((row) => [
        row.instance,
        ...(withRule ? [row.rule ?? ""] : []),
        row.protocol,
        `${hostForDisplay(row.frontendIp)}:${row.frontendPort}`,
        String(row.backendPort),
        ...(withSource ? [row.source ?? ""] : []),
    ]);
    return formatTable(headers, cells);
}

/** `ssh -p PORT USER@IP`; an IPv6 address needs no brackets after `@`. */
export function sshCommand(user: string, ip: string, port: number): string {
    return `ssh -p ${port} ${shellWord(`${user}@${ip || UNKNOWN_IP}`)}`;
}

/** One ssh line per row whose backend port is 22 (TCP or All), in row order. */
export function sshLines(rows: readonly MappingRow[], user: string): string[] {
    return rows
        .filter((row) => row.backendPort === 22 && row.protocol.toLowerCase() !== "udp")
        .map((row) => `${row.instance}: ${sshCommand(user, row.frontendIp, row.frontendPort)}`);
}

function hostForDisplay(ip: string): string {
    if (ip === "") return UNKNOWN_IP;
    return ip.includes(":") ? `[${ip}]` : ip;
}

/** Quotes a word for a POSIX shell when it holds anything but safe characters. */
function shellWord(word: string): string {
    return /^[A-Za-z0-9@%+=:,./_-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}


export { ansibleInventory, formatInventoryYaml, formatSshConfig, type HostEntry } from "../access";
