/**
 * What the CLI accepts as an ssh user and a host alias prefix: values that stay one word in an ssh
 * config, an Ansible inventory and an `ssh -p PORT USER@HOST` command line.
 */
import { AzureNatRulesError } from "../core/errors";

/**
 * One word of letters, digits, ".", "_", "-" and "@" (a domain user), up to 64 characters, not
 * starting with "-" (ssh would read `-x@host` as an option). Whitespace would split the ssh config's
 * `User` line, and an empty user gives `ssh -p 50000 @203.0.113.1`.
 */
const USER = /^[A-Za-z0-9._@][A-Za-z0-9._@-]{0,63}$/;
/**
 * Letters, digits, ".", "_" and "-", starting with a letter or digit: ssh reads "*", "?", "!", ","
 * and whitespace in a `Host` line as patterns and lists, so `web *` would give `Host web *-0`, which
 * matches every host. Empty is allowed: the aliases are then the instances alone.
 */
const HOST_PREFIX = /^(?:[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

/** Fails with the flag, the value, what is allowed and a fix when `user` is not one ssh word. */
export function checkSshUser(command: string, user: string): string {
    if (USER.test(user)) return user;
    throw new AzureNatRulesError(
        `${command}: --user = ${JSON.stringify(user)} is invalid: allowed is a user name of 1-64 letters, digits, ".", "_", "-" or "@", not starting with "-" ` +
            `(${user === "" ? "it is empty" : /\s/.test(user) ? "it contains whitespace" : user.startsWith("-") ? "ssh would take it for an option" : "ssh configs and command lines need one plain word"}). ` +
            `Fix: pass the VM's admin user, e.g. --user azureuser.`,
    );
}

/** Fails with the flag, the value, what is allowed and a fix when `prefix` would make `Host` aliases patterns. */
export function checkHostPrefix(command: string, prefix: string): string {
    if (HOST_PREFIX.test(prefix)) return prefix;
    const bad = [...new Set(prefix.replace(/[A-Za-z0-9._-]/g, ""))].map((c) => JSON.stringify(c)).join(", ");
    throw new AzureNatRulesError(
        `${command}: --host-prefix = ${JSON.stringify(prefix)} is invalid: allowed is letters, digits, ".", "_" and "-", starting with a letter or digit ` +
            `(${bad ? `it contains ${bad}; ssh reads "*", "?", "!", "," and spaces in a Host line as patterns, so the alias would match other hosts` : "it starts with a character ssh would misread"}). ` +
            `Fix: pass e.g. --host-prefix ${prefix.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "").replace(/-+$/, "") || "web"}.`,
    );
}
