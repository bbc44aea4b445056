/**
 * A Pulumi program that needs no provider: one ComponentResource with a child component, config
 * (plain and secret) and stack outputs. `fail` in config makes it throw, for the error path.
 */
import * as pulumi from "@pulumi/pulumi";

interface GreetingArgs {
    who: pulumi.Input<string>;
    times: number;
}

class Greeting extends pulumi.ComponentResource {
    readonly message: pulumi.Output<string>;
    readonly lines: pulumi.Output<string[]>;

    constructor(name: string, args: GreetingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("engine-test:index:Greeting", name, {}, opts);
        this.message = pulumi.interpolate`hello, ${args.who}`;
        this.lines = this.message.apply((message) => Array.from({ length: args.times }, (_, i) => `${i + 1}: ${message}`));
        new pulumi.ComponentResource("engine-test:index:Part", `${name}-part`, {}, { parent: this });
        this.registerOutputs({ message: this.message, lines: this.lines });
    }
}

const config = new pulumi.Config();
const failure = config.get("fail");
if (failure) throw new Error(`the program was told to fail: ${failure}`);

const greeting = new Greeting("greeting", { who: config.require("who"), times: config.getNumber("times") ?? 2 });

export const message = greeting.message;
export const lines = greeting.lines;
export const token = config.requireSecret("token");
export const project = pulumi.getProject();
export const stack = pulumi.getStack();
export const dryRunSeen = pulumi.runtime.isDryRun();
