import * as fs from "node:fs";
import * as path from "node:path";

/** The folder holding this package's package.json, from source (tsx) or from dist/ alike. */
export function packageRoot(): string {
    let dir = __dirname;
    for (;;) {
        const candidate = path.join(dir, "package.json");
        if (fs.existsSync(candidate) && (JSON.parse(fs.readFileSync(candidate, "utf8")) as { name?: string }).name === "azure-nat-rules") {
            return dir;
        }
        const parent = path.dirname(dir);
        if (parent === dir) throw new Error("azure-nat-rules: cannot find the package's own package.json");
        dir = parent;
    }
}

export function packageVersion(): string {
    return (JSON.parse(fs.readFileSync(path.join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
}
