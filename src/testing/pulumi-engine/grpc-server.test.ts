/**
 * The stand-in plugin as the engine starts it: the launcher on PATH prints its port, and the
 * provider protocol (pulumi/pulumi proto/pulumi/provider.proto) carries Configure, Check, Diff,
 * Create (preview and not), Read, Invoke and Delete to the local ARM endpoint. The messages are
 * built with the stubs @pulumi/pulumi ships, as the engine builds them.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AzureSimulator } from "../simulator";
import { startArmServer, type ArmServer } from "../http/arm-server";
import { PLUGIN_NAME, standInPluginDir } from "./plugin";
import { UNKNOWN } from "./provider";

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
const providerGrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const providerProto = require("@pulumi/pulumi/proto/provider_pb");
const structProto = require("google-protobuf/google/protobuf/struct_pb");
const emptyProto = require("google-protobuf/google/protobuf/empty_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

type Json = Record<string, unknown>;
const URN = "urn:pulumi:dev::proj::azure-native:resources:ResourceGroup::rg";

let sim: AzureSimulator;
let server: ArmServer;
let plugin: ChildProcess;
let client: any;
let stderr = "";

const call = <T>(method: string, request: unknown): Promise<T> =>
    new Promise((resolve, reject) => client[method](request, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));
const struct = (o: Json) => structProto.Struct.fromJavaScript(o);

beforeAll(async () => {
    sim = new AzureSimulator();
    server = await startArmServer(sim, { retryAfterSeconds: 0, lroPolls: 1, throttling: false });
    plugin = spawn(path.join(standInPluginDir(), PLUGIN_NAME), ["127.0.0.1:1"], {
        env: { ...process.env, AZURE_NAT_RULES_ARM_ENDPOINT: server.url, ARM_SUBSCRIPTION_ID: sim.subscriptionId, AZURE_NAT_RULES_STANDIN_POLL_SECONDS: "0" },
    });
    plugin.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    const port = await new Promise<number>((resolve, reject) => {
        plugin.stdout!.once("data", (c: Buffer) => resolve(Number(c.toString().trim())));
        plugin.once("exit", (code) => reject(new Error(`the plugin exited with ${code}: ${stderr}`)));
    });
    client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 60_000);

afterAll(async () => {
    client?.close();
    plugin?.kill();
    await server?.close();
});

describe("the stand-in plugin over the provider protocol", () => {
    it("reports the installed @pulumi/azure-native SDK's version", async () => {
        const info = await call<any>("getPluginInfo", new emptyProto.Empty());
        expect(info.getVersion()).toBe(require("@pulumi/azure-native/package.json").version);
    });

    it("refuses a CLI that does not send old inputs, as azure-native v3 does", async () => {
        const req = new providerProto.ConfigureRequest().setAcceptsecrets(true).setAcceptresources(true);
        await expect(call("configure", req)).rejects.toThrow(/requires Pulumi CLI v3.74.0 or later/);
    });

    it("configures with preview support, then creates, previews, diffs, reads, invokes and deletes a resource group", async () => {
        const configure = new providerProto.ConfigureRequest().setSendsOldInputs(true).setSendsOldInputsToDelete(true);
        configure.getVariablesMap().set("azure-native:config:location", "westeurope");
        const configured = await call<any>("configure", configure);
        expect(configured.getSupportspreview()).toBe(true);

        const checked = await call<any>("check", new providerProto.CheckRequest().setUrn(URN).setOlds(struct({})).setNews(struct({ resourceGroupName: "rg" })));
        const inputs = checked.getInputs().toJavaScript() as Json;
        expect(inputs).toEqual({ resourceGroupName: "rg", location: "westeurope", azureApiVersion: "2024-03-01" });

        const preview = await call<any>("create", new providerProto.CreateRequest().setUrn(URN).setProperties(struct({ ...inputs, tags: UNKNOWN })).setPreview(true));
        expect(preview.getId()).toBe("");
        expect(preview.getProperties().toJavaScript()).toMatchObject({ location: "westeurope", tags: UNKNOWN });
        expect(sim.has(`/subscriptions/${sim.subscriptionId}/resourceGroups/rg`)).toBe(false);

        const created = await call<any>("create", new providerProto.CreateRequest().setUrn(URN).setProperties(struct(inputs)));
        expect(created.getId()).toBe(`/subscriptions/${sim.subscriptionId}/resourceGroups/rg`);
        const outputs = created.getProperties().toJavaScript() as Json;
        expect(outputs).toMatchObject({ name: "rg", location: "westeurope", azureApiVersion: "2024-03-01" });

        const diff = await call<any>("diff", new providerProto.DiffRequest().setUrn(URN).setId(created.getId()).setOlds(struct(outputs))
            .setOldInputs(struct(inputs)).setNews(struct({ ...inputs, resourceGroupName: "rg2" })));
        expect(diff.getChanges()).toBe(providerProto.DiffResponse.DiffChanges.DIFF_SOME);
        expect(diff.getReplacesList()).toEqual(["resourceGroupName"]);
        expect(diff.getDetaileddiffMap().get("resourceGroupName").getKind()).toBe(providerProto.PropertyDiff.Kind.UPDATE_REPLACE);

        const config = await call<any>("invoke", new providerProto.InvokeRequest().setTok("azure-native:authorization:getClientConfig").setArgs(struct({})));
        expect(config.getReturn().toJavaScript()).toMatchObject({ subscriptionId: sim.subscriptionId });

        await call("delete", new providerProto.DeleteRequest().setUrn(URN).setId(created.getId()).setProperties(struct(outputs)).setOldInputs(struct(inputs)));
        const read = await call<any>("read", new providerProto.ReadRequest().setUrn(URN).setId(created.getId()).setProperties(struct(outputs)).setInputs(struct(inputs)));
        expect(read.getId()).toBe(""); // gone
    });

    it("names the type it does not serve", async () => {
        const urn = "urn:pulumi:dev::proj::azure-native:storage:StorageAccount::sa";
        await expect(call("check", new providerProto.CheckRequest().setUrn(urn).setOlds(struct({})).setNews(struct({}))))
            .rejects.toThrow(/does not serve resource type azure-native:storage:StorageAccount/);
    });
});

describe("the stand-in's schema", () => {
    it("holds every azure-native resource the component schema (schema.json) refers to", async () => {
        const fs = await import("node:fs");
        const componentSchema = fs.readFileSync(path.join(__dirname, "..", "..", "..", "schema.json"), "utf8");
        const referenced = [...componentSchema.matchAll(/"\/azure-native\/v[^/]+\/schema\.json#\/resources\/([^"]+)"/g)].map((m) => m[1]);
        expect(referenced.length).toBeGreaterThan(0);
        const schema = JSON.parse((await call<any>("getSchema", new providerProto.GetSchemaRequest())).getSchema()) as { name: string; resources: Json };
        expect(schema.name).toBe("azure-native");
        for (const token of new Set(referenced)) expect(Object.keys(schema.resources)).toContain(token);
    });
});
