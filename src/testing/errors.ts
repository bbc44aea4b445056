import { AzureNatRulesError } from "../core/errors";

/**
 * An error as Azure Resource Manager returns it: an error `code`, the HTTP `statusCode` and a
 * message. The simulator throws it wherever ARM would reject a request; the ARM server sends it as
 * `{"error":{"code","message"}}`.
 */
export class ArmError extends AzureNatRulesError {
    constructor(
        readonly code: string,
        readonly statusCode: number,
        message: string,
    ) {
        super(message);
    }

    /** The ARM response body for this error. */
    toBody(): { error: { code: string; message: string } } {
        return { error: { code: this.code, message: this.message } };
    }

    override toString(): string {
        return `${this.name} ${this.statusCode} (${this.code}): ${this.message}`;
    }
}

/** A saved simulator state that cannot be read: the file and what is wrong with it. */
export class SimulatorStateError extends AzureNatRulesError {
    constructor(
        readonly file: string,
        readonly problem: string,
    ) {
        super(`simulator state ${JSON.stringify(file)}: ${problem}`);
    }
}
