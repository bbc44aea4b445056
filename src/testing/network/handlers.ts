/** Create-or-update handlers of resource groups, public IPs, virtual networks, subnets, NSGs and security rules. */
import { FIRST_HOST_OFFSET, parseCidr } from "./addresses";
import { ARM_ERROR_CODES } from "../errors";
import { networkId, resourceGroupId } from "../ids";
import { bag, bags, integer, reference, requiredText, stringList, tagsOf, text, type Bag } from "../resource-inputs";
import { put } from "../journal";
import { allocatePublicIp, fail, location, parentMissing, requireResourceGroup } from "../lookups";
import { keyOf, type SecurityRuleRecord, type SubnetRecord } from "../model";
import type { Handler, SimulatedResourceType } from "../resource-types";

export const NETWORK_HANDLERS: Pick<Record<SimulatedResourceType, Handler>, "resources:ResourceGroup" | "network:PublicIPAddress" | "network:VirtualNetwork" | "network:Subnet" | "network:NetworkSecurityGroup" | "network:SecurityRule"> = {
    "resources:ResourceGroup": (s, pulumiName, inputs) => {
        const name = text("resource group", "resourceGroupName", inputs.resourceGroupName) ?? pulumiName;
        const id = resourceGroupId(s.subscriptionId, name);
        const existing = s.resourceGroups[keyOf(id)];
        put(s, "resourceGroups", keyOf(id), {
            id: existing?.id ?? id,
            name: existing?.name ?? name,
            location: text(`resource group ${name}`, "location", inputs.location) ?? existing?.location ?? s.defaultLocation,
            tags: tagsOf(`resource group ${name}`, inputs.tags),
        });
        return existing?.id ?? id;
    },

    "network:PublicIPAddress": (s, pulumiName, inputs) => {
        const name = text("public IP address", "publicIpAddressName", inputs.publicIpAddressName) ?? pulumiName;
        const owner = `public IP address ${name}`;
        const rg = requireResourceGroup(s, owner, inputs.resourceGroupName);
        const id = networkId(s.subscriptionId, rg.name, "publicIPAddresses", name);
        const existing = s.publicIPAddresses[keyOf(id)];
        // Basic SKU public IPs retired on 30 September 2025, so an unset SKU means Standard.
        const sku = text(owner, "sku.name", bag(inputs.sku)?.name) ?? existing?.sku ?? "Standard";
        if (!["Basic", "Standard"].includes(sku)) throw fail(ARM_ERROR_CODES.invalidParameter, 400, `${owner}: sku.name = ${JSON.stringify(sku)}: allowed is Basic or Standard.`);
        put(s, "publicIPAddresses", keyOf(id), {
            id: existing?.id ?? id,
            name: existing?.name ?? name,
            resourceGroup: rg.name,
            location: location(inputs, owner, existing, rg),
            tags: tagsOf(owner, inputs.tags),
            sku,
            allocationMethod: text(owner, "publicIPAllocationMethod", inputs.publicIPAllocationMethod) ?? (sku === "Standard" ? "Static" : "Dynamic"),
            idleTimeoutInMinutes: integer(owner, "idleTimeoutInMinutes", inputs.idleTimeoutInMinutes) ?? 4,
            ipAddress: existing?.ipAddress ?? allocatePublicIp(s, owner),
        });
        return existing?.id ?? id;
    },

    "network:VirtualNetwork": (s, pulumiName, inputs) => {
        const name = text("virtual network", "virtualNetworkName", inputs.virtualNetworkName) ?? pulumiName;
        const owner = `virtual network ${name}`;
        const rg = requireResourceGroup(s, owner, inputs.resourceGroupName);
        const id = networkId(s.subscriptionId, rg.name, "virtualNetworks", name);
        const existing = s.virtualNetworks[keyOf(id)];
        const prefixes = stringList(owner, "addressSpace.addressPrefixes", bag(inputs.addressSpace)?.addressPrefixes) ?? existing?.addressPrefixes ?? ["10.0.0.0/16"];
        for (const p of prefixes) parseCidr(owner, p);
        const inline: SubnetRecord[] = bags(owner, "subnets", inputs.subnets).map((sn, i) => {
            const subnetName = requiredText(owner, `subnets[${i}].name`, sn.name);
            const subnetId = `${existing?.id ?? id}/subnets/${subnetName}`;
            const prefix = requiredText(owner, `subnets[${i}].addressPrefix`, sn.addressPrefix);
            parseCidr(`${owner} subnet ${subnetName}`, prefix);
            const old = existing?.subnets.find((o) => keyOf(o.id) === keyOf(subnetId));
            return {
                id: subnetId,
                name: subnetName,
                addressPrefix: prefix,
                networkSecurityGroupId: reference(owner, `subnets[${i}].networkSecurityGroup`, sn.networkSecurityGroup),
                nextHost: old && old.addressPrefix === prefix ? old.nextHost : FIRST_HOST_OFFSET,
                standalone: false,
            };
        });
        const kept = (existing?.subnets ?? []).filter((o) => o.standalone && !inline.some((n) => keyOf(n.id) === keyOf(o.id)));
        put(s, "virtualNetworks", keyOf(id), {
            id: existing?.id ?? id,
            name: existing?.name ?? name,
            resourceGroup: rg.name,
            location: location(inputs, owner, existing, rg),
            tags: tagsOf(owner, inputs.tags),
            addressPrefixes: prefixes,
            subnets: [...inline, ...kept],
        });
        return existing?.id ?? id;
    },

    "network:Subnet": (s, pulumiName, inputs) => {
        const name = text("subnet", "subnetName", inputs.subnetName) ?? text("subnet", "name", inputs.name) ?? pulumiName;
        const owner = `subnet ${name}`;
        const rg = requireResourceGroup(s, owner, inputs.resourceGroupName);
        const vnetName = requiredText(owner, "virtualNetworkName", inputs.virtualNetworkName);
        const vnetId = networkId(s.subscriptionId, rg.name, "virtualNetworks", vnetName);
        const vnet = s.virtualNetworks[keyOf(vnetId)];
        if (!vnet) throw parentMissing(`subnets/${name}`, vnetId);
        const id = `${vnet.id}/subnets/${name}`;
        const prefix = requiredText(owner, "addressPrefix", inputs.addressPrefix);
        parseCidr(owner, prefix);
        const old = vnet.subnets.find((o) => keyOf(o.id) === keyOf(id));
        const record: SubnetRecord = {
            id,
            name,
            addressPrefix: prefix,
            networkSecurityGroupId: reference(owner, "networkSecurityGroup", inputs.networkSecurityGroup),
            nextHost: old && old.addressPrefix === prefix ? old.nextHost : FIRST_HOST_OFFSET,
            standalone: true,
        };
        put(s, "virtualNetworks", keyOf(vnet.id), { ...vnet, subnets: old ? vnet.subnets.map((o) => (o === old ? record : o)) : [...vnet.subnets, record] });
        return id;
    },

    "network:NetworkSecurityGroup": (s, pulumiName, inputs) => {
        const name = text("network security group", "networkSecurityGroupName", inputs.networkSecurityGroupName) ?? pulumiName;
        const owner = `network security group ${name}`;
        const rg = requireResourceGroup(s, owner, inputs.resourceGroupName);
        const id = networkId(s.subscriptionId, rg.name, "networkSecurityGroups", name);
        const existing = s.networkSecurityGroups[keyOf(id)];
        const inline = bags(owner, "securityRules", inputs.securityRules).map((r, i) => securityRule(owner, existing?.id ?? id, r, i, false));
        const kept = (existing?.securityRules ?? []).filter((o) => o.standalone && !inline.some((n) => keyOf(n.id) === keyOf(o.id)));
        put(s, "networkSecurityGroups", keyOf(id), {
            id: existing?.id ?? id,
            name: existing?.name ?? name,
            resourceGroup: rg.name,
            location: location(inputs, owner, existing, rg),
            tags: tagsOf(owner, inputs.tags),
            securityRules: [...inline, ...kept],
        });
        return existing?.id ?? id;
    },

    "network:SecurityRule": (s, pulumiName, inputs) => {
        const name = text("security rule", "securityRuleName", inputs.securityRuleName) ?? text("security rule", "name", inputs.name) ?? pulumiName;
        const owner = `security rule ${name}`;
        const rg = requireResourceGroup(s, owner, inputs.resourceGroupName);
        const nsgName = requiredText(owner, "networkSecurityGroupName", inputs.networkSecurityGroupName);
        const nsgId = networkId(s.subscriptionId, rg.name, "networkSecurityGroups", nsgName);
        const nsg = s.networkSecurityGroups[keyOf(nsgId)];
        if (!nsg) throw parentMissing(`securityRules/${name}`, nsgId);
        const record = securityRule(owner, nsg.id, { ...inputs, name }, 0, true);
        const old = nsg.securityRules.find((o) => keyOf(o.id) === keyOf(record.id));
        put(s, "networkSecurityGroups", keyOf(nsg.id), { ...nsg, securityRules: old ? nsg.securityRules.map((o) => (o === old ? record : o)) : [...nsg.securityRules, record] });
        return record.id;
    },
};

function securityRule(owner: string, nsgId: string, r: Bag, index: number, standalone: boolean): SecurityRuleRecord {
    const name = requiredText(owner, `securityRules[${index}].name`, r.name);
    const o = `security rule ${name} of ${owner}`;
    const properties: Record<string, unknown> = {};
    const skip = new Set(["name", "id", "resourceGroupName", "networkSecurityGroupName", "securityRuleName", "type"]);
    for (const [k, v] of Object.entries(r)) if (!skip.has(k) && v !== undefined) properties[k] = v;
    const priority = integer(o, "priority", r.priority);
    if (priority === undefined || priority < 100 || priority > 4096) {
        throw fail(ARM_ERROR_CODES.securityRulePriority, 400, `${o}: priority = ${JSON.stringify(r.priority)}: allowed is an integer from 100 to 4096.`);
    }
    const direction = text(o, "direction", r.direction);
    if (direction !== "Inbound" && direction !== "Outbound") throw fail(ARM_ERROR_CODES.invalidParameter, 400, `${o}: direction = ${JSON.stringify(direction)}: allowed is Inbound or Outbound.`);
    const access = text(o, "access", r.access);
    if (access !== "Allow" && access !== "Deny") throw fail(ARM_ERROR_CODES.invalidParameter, 400, `${o}: access = ${JSON.stringify(access)}: allowed is Allow or Deny.`);
    return { id: `${nsgId}/securityRules/${name}`, name, properties, standalone };
}
