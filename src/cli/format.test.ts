import { describe, expect, it } from "vitest";
import { UNKNOWN_IP, formatMappingTable, formatTable, sshCommand, sshLines } from "./format";
import type { MappingRow } from "./format";

const rows: MappingRow[] = [
    { instance: "0", rule: "ssh", protocol: "Tcp", frontendIp: "203.0.113.9", frontendPort: 50000, backendPort: 22 },
    { instance: "10", rule: "ssh", protocol: "Tcp", frontendIp: "2001:db8::5", frontendPort: 50010, backendPort: 22 },
    { instance: "web-1", rule: "dns", protocol: "Udp", frontendIp: "", frontendPort: 40000, backendPort: 22 },
];

describe("formatTable", () => {
    it("pads every column but the last to its widest cell", () => {
        const lines = formatTable(["A", "LONG HEADER"], [["wide cell", "x"], ["b", "y"]]).split("\n");
        expect(lines).toEqual(["A          LONG HEADER", "wide cell  x", "b          y"]);
    });
});

describe("formatMappingTable", () => {
    it("shows instance, rule, protocol, ip:port and backend port; brackets IPv6; marks unknown IPs", () => {
        const lines = formatMappingTable(rows).split("\n");
        expect(lines[0].split(/\s{2,}/)).toEqual(["INSTANCE", "RULE", "PROTOCOL", "FRONTEND", "BACKEND PORT"]);
        expect(lines[1].split(/\s{2,}/)).toEqual(["0", "ssh", "Tcp", "203.0.113.9:50000", "22"]);
        expect(lines[2]).toContain("[2001:db8::5]:50010");
        expect(lines[3]).toContain(`${UNKNOWN_IP}:40000`);
    });

    it("adds SOURCE only when rows carry one, drops RULE when none does", () => {
        const planned = rows.map(({ rule: _rule, ...row }) => ({ ...row, source: "planned" }));
        const header = formatMappingTable(planned).split("\n")[0].split(/\s{2,}/);
        expect(header).toEqual(["INSTANCE", "PROTOCOL", "FRONTEND", "BACKEND PORT", "SOURCE"]);
        expect(formatMappingTable([])).toBe("(no port mappings)");
    });
});

describe("ssh lines", () => {
    it("one per TCP row on backend port 22, with the frontend port and address", () => {
        expect(sshLines(rows, "azureuser")).toEqual(["0: ssh -p 50000 azureuser@203.0.113.9", "10: ssh -p 50010 azureuser@2001:db8::5"]);
    });

    it("quotes a user name the shell would split", () => {
        expect(sshCommand("o'brien x", "203.0.113.9", 22)).toBe(`ssh -p 22 'o'\\''brien x@203.0.113.9'`);
    });

    it("lays out 150,000 rows without overflowing the stack", () => {
        const rows = Array.from({ length: 150_000 }, (_, i) => [String(i), "x"]);
        const lines = formatTable(["N", "V"], rows).split("\n");
        expect(lines).toHaveLength(150_001);
        expect(lines[150_000]).toBe("149999  x");
    });
});
