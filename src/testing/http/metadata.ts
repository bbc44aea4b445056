/**
 * `GET /metadata/endpoints` (served without authentication, as ARM serves it: `az cloud register
 * --endpoint-resource-manager URL` fetches it before any sign-in) and `GET /tenants`.
 *
 * Shapes: api-version 1.0 / 2015-01-01 answer one object with `galleryEndpoint`, `graphEndpoint`,
 * `portalEndpoint` and `authentication.{loginEndpoint, audiences}` (Azure Stack Hub docs "Azure Resource
 * Manager endpoint", whose sample az's cloud.py `_populate_from_metadata_endpoint` reads); api-version
 * 2019-05-01 and later answer a list of clouds with `name`, `resourceManager`, `authentication`,
 * `graph`, `graphAudience`, `portal`, `gallery`, `suffixes`, ... (management.azure.com's answer, which az's
 * `_arm_to_cli_mapper` reads).
 */

/**
 * Path of the sign-in authority on this same host: the login endpoint the metadata names is
 * `<scheme>://<host>` + this. The token endpoints themselves are served elsewhere (ADFS-style OpenID
 * under this path); az treats a login endpoint ending in `/adfs` as ADFS.
 */
export const LOGIN_ENDPOINT_PATH = "/adfs";

/** Name of the cloud in the metadata (`az cloud register --name` may pick any other). */
export const LOCAL_CLOUD_NAME = "AzureNatRulesLocal";

function isLegacyVersion(apiVersion: string | null): boolean {
    return apiVersion === null || apiVersion === "1.0" || apiVersion < "2019-05-01";
}

/** The metadata answer for a client that reached the endpoint at `base` (`<scheme>://<host>`). */
export function metadataEndpoints(base: string, apiVersion: string | null): unknown {
    const loginEndpoint = `${base}${LOGIN_ENDPOINT_PATH}`;
    const audience = `${base}/`;
    const authentication = { loginEndpoint, audiences: [audience], tenant: "adfs", identityProvider: "ADFS" };
    if (isLegacyVersion(apiVersion)) {
        return { galleryEndpoint: `${base}/`, graphEndpoint: `${base}/`, portalEndpoint: `${base}/`, authentication };
    }
    return [
        {
            name: LOCAL_CLOUD_NAME,
            resourceManager: `${base}/`,
            authentication,
            graph: `${base}/`,
            graphAudience: `${base}/`,
            microsoftGraphResourceId: `${base}/`,
            portal: `${base}/`,
            gallery: `${base}/`,
            media: `${base}/`,
            batch: `${base}/`,
            sqlManagement: `${base}/`,
            vmImageAliasDoc: `${base}/`,
            activeDirectoryDataLake: `${base}/`,
            appInsightsResourceId: `${base}/`,
            logAnalyticsResourceId: `${base}/`,
            ossrdbmsResourceId: `${base}/`,
            suffixes: {
                acrLoginServer: "azurecr.local",
                azureDataLakeAnalyticsCatalogAndJob: "azuredatalakeanalytics.local",
                azureDataLakeStoreFileSystem: "azuredatalakestore.local",
                keyVaultDns: "vault.local",
                mysqlServerEndpoint: "mysql.database.local",
                postgresqlServerEndpoint: "postgres.database.local",
                sqlServerHostname: "database.local",
                storage: "core.local",
                storageSyncEndpointSuffix: "afs.local",
            },
        },
    ];
}

/** `GET /tenants` (Resource Manager's Tenants_List shape: id, tenantId, tenantCategory, ...). */
export function tenantsList(tenantId: string): unknown {
    return { value: [{ id: `/tenants/${tenantId}`, tenantId, tenantCategory: "Home", displayName: "Local ARM", domains: [], defaultDomain: "local", tenantType: "AAD" }] };
}
