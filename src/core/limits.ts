/**
 * Azure's bounds and limits for inbound NAT rules. Each value names its source; see
 * docs/azure-facts.md for the full list.
 */

/** Lowest port any NAT rule accepts (loadBalancer.json). */
export const MIN_PORT = 1;
/** Highest frontend port, and highest frontend range start/end, of a NAT rule (loadBalancer.json). */
export const MAX_FRONTEND_PORT = 65534;
/** Highest backend port (loadBalancer.json). */
export const MAX_BACKEND_PORT = 65535;

/**
 * Idle timeout bounds. The REST spec and Terraform validate 4–30 minutes; one docs page says 4–100.
 * We enforce 4–30: a value inside it is accepted by every API version, and a rejected
 * value costs the user one edit before deployment instead of a failed deployment after.
 */
export const MIN_IDLE_TIMEOUT_MINUTES = 4;
export const MAX_IDLE_TIMEOUT_MINUTES = 30;

/** Load-balancing plus inbound NAT rules on one Standard load balancer (subscription limits). */
export const MAX_RULES_PER_LOAD_BALANCER = 1500;
/** Rules of all kinds that reference one NIC (`LoadBalancerRuleCountLimitReachedForNic`). */
export const MAX_RULES_PER_NIC = 300;
