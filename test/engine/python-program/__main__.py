"""A small Azure deployment in Python with both components of azure-nat-rules.

A resource group, a network, a Standard public IP and load balancer, a scale set of 2 in the
load balancer's pool, then:
- BackendPoolNatRule over the scale set (passed as the resource object), ports 50000-50009 for up
  to 10 instances, every other input left to its default (protocol, read_azure_mappings, ...);
- SingleVmNatRule for one VM's SSH on `vmFrontendPort` (config; default 50022).
The stack exports the mappings and the Python types the program saw for the ports.
"""
import pulumi
import pulumi_azure_native.compute as compute
import pulumi_azure_native.network as network
import pulumi_azure_native.resources as resources
import pulumi_azure_nat_rules as nat

config = pulumi.Config()
vm_frontend_port = config.get_int("vmFrontendPort") or 50022

group = resources.ResourceGroup("pyrules-rg", resource_group_name="pyrules-rg")
vnet = network.VirtualNetwork(
    "pyrules-vnet",
    resource_group_name=group.name,
    virtual_network_name="pyrules-vnet",
    address_space={"address_prefixes": ["10.1.0.0/16"]},
    subnets=[{"name": "vmss", "address_prefix": "10.1.1.0/24"}],
)
public_ip = network.PublicIPAddress(
    "pyrules-pip",
    resource_group_name=group.name,
    public_ip_address_name="pyrules-pip",
    sku={"name": "Standard"},
    public_ip_allocation_method="Static",
)
lb = network.LoadBalancer(
    "pyrules-lb",
    resource_group_name=group.name,
    load_balancer_name="pyrules-lb",
    sku={"name": "Standard"},
    frontend_ip_configurations=[{"name": "frontend", "public_ip_address": {"id": public_ip.id}}],
    backend_address_pools=[{"name": "pool"}],
)
frontend_id = lb.frontend_ip_configurations.apply(lambda f: f[0].id)
pool_id = lb.backend_address_pools.apply(lambda p: p[0].id)

scale_set = compute.VirtualMachineScaleSet(
    "pyrules-vmss",
    resource_group_name=group.name,
    vm_scale_set_name="pyrules-vmss",
    sku={"name": "Standard_B1s", "tier": "Standard", "capacity": 2},
    overprovision=False,
    upgrade_policy={"mode": "Manual"},
    virtual_machine_profile={
        "os_profile": {
            "computer_name_prefix": "pyrules",
            "admin_username": "azureuser",
            "linux_configuration": {
                "disable_password_authentication": True,
                "ssh": {"public_keys": [{"path": "/home/azureuser/.ssh/authorized_keys", "key_data": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPythonProgramTestKeyOnly python@test"}]},
            },
        },
        "storage_profile": {
            "image_reference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"},
            "os_disk": {"create_option": "FromImage", "managed_disk": {"storage_account_type": "Standard_LRS"}},
        },
        "network_profile": {
            "network_interface_configurations": [{
                "name": "nic",
                "primary": True,
                "ip_configurations": [{
                    "name": "ipconfig",
                    "subnet": {"id": vnet.subnets.apply(lambda s: s[0].id)},
                    "load_balancer_backend_address_pools": [{"id": pool_id}],
                }],
            }],
        },
    },
    opts=pulumi.ResourceOptions(depends_on=[lb]),
)

pool_rule = nat.BackendPoolNatRule(
    "pyrules-ssh",
    load_balancer_id=lb.id,
    frontend_ip_configuration_id=frontend_id,
    backend_address_pool_id=pool_id,
    frontend_port_range_start=50000,
    max_instances=10,
    backend_port=22,
    scale_set=scale_set,
    frontend_ip_address=public_ip.ip_address.apply(lambda ip: ip or ""),
)
vm_rule = nat.SingleVmNatRule(
    "pyrules-vm1-ssh",
    load_balancer_id=lb.id,
    frontend_ip_configuration_id=frontend_id,
    frontend_port=vm_frontend_port,
    backend_port=22,
    vm_name="vm1",
)


def port_types(mappings):
    return sorted({type(m.frontend_port).__name__ for m in mappings} | {type(m.backend_port).__name__ for m in mappings})


pulumi.export("poolRule", pool_rule.rule_name)
pulumi.export("frontendPortRange", pool_rule.frontend_port_range)
pulumi.export("portMappings", pool_rule.port_mappings)
pulumi.export("plannedPortMappings", pool_rule.planned_port_mappings)
pulumi.export("poolPortTypes", pool_rule.port_mappings.apply(port_types))
pulumi.export("vmRule", vm_rule.rule_name)
pulumi.export("vmPortMapping", vm_rule.port_mapping)
pulumi.export("vmPortTypes", vm_rule.port_mapping.apply(lambda m: port_types([m])))
