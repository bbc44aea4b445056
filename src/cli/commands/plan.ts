/**
 * `azure-nat-rules plan`: frontend port ranges for several backend-pool NAT rules sharing a
 * frontend, packed around load-balancing rules' ports. A front for the core's `planFrontendPorts`.
 */
import { InvalidArgumentError, type Command } from "commander";
import { AzureNatRulesError, NatRuleValidationError } from "../../core/errors";
import { ruleNameIssue, suggestNetworkName } from "../../core/names";
import { FrontendPlanError, planFrontendPorts, type FrontendPlan, type FrontendPlanRequest, type FrontendRuleRequest, type PortSpan } from "../../core/planner";
import { normalizeProtocol } from "../../core/validation";
import { setFlagExample } from "../cli-command";
import { formatTable } from "../format";

const RULE_FORM = "name:backendPort:maxInstances[:protocol][:x2]";
const AVOID_FORM = "start-end or port";

/** A `--rule` value as typed, kept to name it in errors. */
interface ParsedRule {
    spec: string;
    rule: FrontendRuleRequest;
}

interface PlanOptions {
    frontendStart: number;
    rule: ParsedRule[];
    align?: number;
    avoid?: { spec: string; span: PortSpan }[];
    headroom?: number;
    json?: boolean;
}

const wholeNumber = (text: string): number | undefined => (/^\d+$/.test(text) ? Number(text) : undefined);

function parseRule(value: string, previous: ParsedRule[] | undefined): ParsedRule[] {
    const parts = value.split(":");
    const fail = (why: string): never => {
        throw new InvalidArgumentError(`${why}. Expected ${RULE_FORM}. Fix: write it as e.g. ssh:22:100, rdp:3389:50:Tcp or ssh:22:100:x2 (x2: an overprovisioning scale set).`);
    };
    if (parts.length < 3 || parts.length > 5) fail(`it has ${parts.length} part${parts.length === 1 ? "" : "s"} separated by ":", not 3 to 5`);
    const [name, backendText, maxText, ...extras] = parts;
    if (name.trim() === "") fail("the rule name is empty");
    // The components' own check: a name Azure refuses fails here, not only at pulumi preview.
    const nameIssue = ruleNameIssue(name);
    if (nameIssue) {
        throw new InvalidArgumentError(
            `the rule name ${JSON.stringify(name)} is not one Azure accepts: allowed is ${nameIssue.allowed}. ` +
                `Fix: write it as e.g. ${[suggestNetworkName(name), ...parts.slice(1)].join(":")}.`,
        );
    }
    const backendPort = wholeNumber(backendText) ?? fail(`backend port ${JSON.stringify(backendText)} is not a whole number`);
    const maxInstances = wholeNumber(maxText) ?? fail(`maxInstances ${JSON.stringify(maxText)} is not a whole number`);
    const rule: FrontendRuleRequest = { name, backendPort, maxInstances };
    for (const extra of extras) {
        const protocol = normalizeProtocol(extra);
        if (extra.toLowerCase() === "x2" && rule.overprovision === undefined) rule.overprovision = true;
        else if (protocol && rule.protocol === undefined) rule.protocol = protocol;
        else fail(`${JSON.stringify(extra)} is not a protocol (Tcp, Udp, All) or x2, or is given twice`);
    }
    return [...(previous ?? []), { spec: value, rule }];
}

function parseAvoid(value: string, previous: { spec: string; span: PortSpan }[] | undefined): { spec: string; span: PortSpan }[] {
    const match = /^(\d+)(?:-(\d+))?$/.exec(value.trim());
    if (!match) throw new InvalidArgumentError(`expected ${AVOID_FORM}. Fix: write a range or one port, e.g. --avoid 50000-50099 or --avoid 80.`);
    const start = Number(match[1]);
    return [...(previous ?? []), { spec: value, span: { start, end: match[2] === undefined ? start : Number(match[2]) } }];
}

function parsePort(value: string): number {
    const port = wholeNumber(value.trim());
    if (port === undefined) throw new InvalidArgumentError("expected a whole number. Fix: pass a port such as 50000.");
    return port;
}

function parseAlign(value: string): number {
    const align = wholeNumber(value.trim());
    if (align === undefined || align < 1) throw new InvalidArgumentError("expected a whole number of ports, at least 1: ranges start at multiples of it. Fix: pass e.g. --align 100, or leave --align out.");
    return align;
}

function parseHeadroom(value: string): number {
    const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
    if (!match) throw new InvalidArgumentError("expected a fraction such as 0.2 or a percentage such as 20%. Fix: pass e.g. --headroom 0.2 or --headroom 20%.");
    // A bare 20 is surely meant as 20%, not 2,000%: make the user say which.
    if (!match[2] && Number(match[1]) >= 1) throw new InvalidArgumentError(`expected a fraction below 1 (0.2 = 20%), or a percentage with %. Fix: write ${match[1]}% for ${match[1]} percent, or a fraction such as 0.2.`);
    return match[2] ? Number(match[1]) / 100 : Number(match[1]);
}

export function register(program: Command): void {
    const command = program
        .command("plan")
        .description("Plan frontend port ranges for backend-pool NAT rules that share a frontend: disjoint, aligned, clear of avoided ports.")
        .requiredOption("--frontend-start <port>", "lowest frontend port any range may use", parsePort)
        .requiredOption(`--rule <${RULE_FORM}>`, "a rule to place (repeatable, placed first-fit in this order); x2 doubles the demand for an overprovisioning scale set", parseRule)
        .option("--align <n>", "ranges start at multiples of n", parseAlign)
        .option(`--avoid <${AVOID_FORM}>`, "ports to keep free, e.g. load-balancing rules' frontend ports (repeatable)", parseAvoid)
        .option("--headroom <fraction>", "spare capacity per rule, e.g. 0.2 or 20% (rounded up)", parseHeadroom)
        .option("--json", 'print one JSON object {"rules":[{name,backendPort,protocol,start,end,capacity}]} on stdout and nothing else')
        .addHelpText("after", [
            "",
            "Ranges never overlap, whatever their protocols. A rule that does not fit fails the command and is named on stderr.",
            "",
            "Examples:",
            "  $ azure-nat-rules plan --frontend-start 50000 --rule ssh:22:100 --rule rdp:3389:50",
            "  $ azure-nat-rules plan --frontend-start 50000 --rule ssh:22:100:x2 --align 100 --avoid 50000-50099 --headroom 0.2",
            "  $ azure-nat-rules plan --frontend-start 60000 --rule dns:53:10:Udp --avoid 60005 --json",
        ].join("\n"))
        .action((options: PlanOptions) => {
            const plan = runPlan(options);
            if (options.json) {
                process.stdout.write(`${JSON.stringify(plan)}\n`);
                return;
            }
            process.stdout.write(`${formatPlan(plan)}\n`);
        });
    setFlagExample(command, "--frontend-start", "50000");
    setFlagExample(command, "--rule", "ssh:22:10");
}

/** The request the options describe; the library's own call with the same values gives the same plan. */
export function planRequest(options: PlanOptions): FrontendPlanRequest {
    return {
        frontendStart: options.frontendStart,
        rules: options.rule.map((r) => r.rule),
        align: options.align,
        avoid: options.avoid?.map((a) => a.span),
        headroom: options.headroom,
    };
}

function runPlan(options: PlanOptions): FrontendPlan {
    // As the components check rule names on one load balancer: Azure compares them ignoring case.
    const seen = new Map<string, string>();
    for (const { spec, rule } of options.rule) {
        const earlier = seen.get(rule.name.toLowerCase());
        if (earlier !== undefined && earlier !== rule.name) {
            throw new AzureNatRulesError(
                `plan: --rule ${spec}: Azure takes ${JSON.stringify(rule.name)} and ${JSON.stringify(earlier)} (an earlier --rule) for one rule, as it compares rule names ignoring case, ` +
                    `so one would overwrite the other. Fix: give each rule a name of its own, e.g. ${rule.name}-2.`,
            );
        }
        seen.set(rule.name.toLowerCase(), rule.name);
    }
    try {
        return planFrontendPorts(planRequest(options), "plan");
    } catch (err) {
        if (err instanceof FrontendPlanError) throw notFitting(err, options);
        if (!(err instanceof NatRuleValidationError)) throw err;
        // Name the flag the user typed rather than the library's field path.
        throw new NatRuleValidationError("plan", err.issues.map((issue) => ({ ...issue, field: flagOf(issue.field, options) })));
    }
}

/**
 * The planner's "does not fit" in the command's words: its flags rather than the library's field
 * names, and no "deployed" ranges (the command plans no deployed rules).
 */
function notFitting(err: FrontendPlanError, options: PlanOptions): AzureNatRulesError {
    const index = options.rule.findIndex((r) => r.rule.name === err.rule);
    const spec = options.rule[index]?.spec ?? err.rule;
    const skipped = [...(options.avoid ? ["the --avoid ports"] : []), ...(index > 0 ? ["the ranges of the --rule flags before it"] : [])];
    const why = err.reason
        .replace(/ Fix: .*$/s, "")
        .replace(/ once avoided, deployed and earlier planned ranges are skipped\./, skipped.length > 0 ? ` once ${skipped.join(" and ")} are skipped.` : ".");
    const fixes = [
        "lower --frontend-start",
        `lower the rule's maxInstances (the third part of --rule ${spec})`,
        ...(options.headroom ? ["lower --headroom"] : []),
        ...(options.align !== undefined && options.align > 1 ? ["use a smaller --align"] : []),
        ...(options.avoid ? ["avoid fewer ports (--avoid)"] : []),
    ];
    const last = fixes.pop();
    return new AzureNatRulesError(`plan: --rule ${spec} does not fit: ${why} Fix: ${fixes.join(", ")}${fixes.length > 0 ? " or " : ""}${last}.`);
}

function flagOf(field: string, options: PlanOptions): string {
    const rule = /^rules\[(\d+)\]\.(.+)$/.exec(field);
    if (rule) return `--rule ${options.rule[Number(rule[1])].spec} (${rule[2]})`;
    const avoid = /^avoid\[(\d+)\]/.exec(field);
    if (avoid && options.avoid) return `--avoid ${options.avoid[Number(avoid[1])].spec}`;
    const flags: Record<string, string> = { frontendStart: "--frontend-start", align: "--align", headroom: "--headroom" };
    return flags[field] ?? field;
}

export function formatPlan(plan: FrontendPlan): string {
    return formatTable(
        ["NAME", "PROTOCOL", "BACKEND PORT", "RANGE", "CAPACITY"],
        plan.rules.map((r) => [r.name, r.protocol, String(r.backendPort), `${r.start}-${r.end}`, String(r.capacity)]),
    );
}
