/**
 * TLS material for the local ARM endpoint's https mode: a throwaway certificate authority and a
 * server certificate it signs for 127.0.0.1 and localhost, made on the fly (node-forge builds the
 * X.509 certificates; node:crypto makes the keys). Clients trust the CA through a file:
 * `REQUESTS_CA_BUNDLE` (az, Python's requests), `NODE_EXTRA_CA_CERTS` (Node), `SSL_CERT_FILE` (Go).
 *
 * Why https at all: every ARM client that sends a bearer token refuses a plain-http URL (azure-core's
 * BearerTokenCredentialPolicy: "Bearer token authentication is not permitted for non-TLS protected
 * (non-https) URLs"), and MSAL accepts only an https authority.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import forge from "node-forge";

export interface LocalTlsMaterial {
    /** PEM of the certificate authority that signed `certPem`: what clients must trust. */
    caPem: string;
    /** PEM of the server certificate (subject alternative names: IP 127.0.0.1, DNS localhost). */
    certPem: string;
    /** PEM (PKCS#8) of the server certificate's private key. */
    keyPem: string;
    /** The file `caPem` was written to, for REQUESTS_CA_BUNDLE / NODE_EXTRA_CA_CERTS. */
    caFile: string;
}

/** Certificates are valid from one hour ago (clock skew) for this many days. */
const VALID_DAYS = 30;

function rsaKeys(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; keyPem: string } {
    // Native key generation (forge's own is pure JavaScript and takes seconds).
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const key = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
    return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e), keyPem: privateKey };
}

function serialNumber(): string {
    // A positive 16-byte serial (RFC 5280 §4.1.2.2: positive, at most 20 octets): clear the top bit.
    const bytes = randomBytes(16);
    bytes[0] &= 0x7f;
    return bytes.toString("hex");
}

function validity(cert: forge.pki.Certificate): void {
    const now = Date.now();
    cert.validity.notBefore = new Date(now - 3600_000);
    cert.validity.notAfter = new Date(now + VALID_DAYS * 86400_000);
}

/**
 * Makes a CA and a server certificate for 127.0.0.1/localhost, and writes the CA's PEM to
 * `caFile` (default: `ca.pem` in a new temporary folder).
 */
export function createLocalTls(options: { caFile?: string } = {}): LocalTlsMaterial {
    const ca = rsaKeys();
    const caCert = forge.pki.createCertificate();
    caCert.publicKey = ca.publicKey;
    caCert.serialNumber = serialNumber();
    validity(caCert);
    const caName = [
        { name: "commonName", value: "azure-nat-rules local ARM CA" },
        { name: "organizationName", value: "azure-nat-rules simulator" },
    ];
    caCert.setSubject(caName);
    caCert.setIssuer(caName);
    // A CA that may sign only end-entity certificates (pathLen 0); the extensions strict verifiers
    // (OpenSSL's X509_V_FLAG_X509_STRICT, as Python 3.13 sets) require: critical basicConstraints, key ids.
    caCert.setExtensions([
        { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
        { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
        { name: "subjectKeyIdentifier" },
        { name: "authorityKeyIdentifier", keyIdentifier: true },
    ]);
    caCert.sign(ca.privateKey, forge.md.sha256.create());

    const server = rsaKeys();
    const cert = forge.pki.createCertificate();
    cert.publicKey = server.publicKey;
    cert.serialNumber = serialNumber();
    validity(cert);
    cert.setSubject([{ name: "commonName", value: "127.0.0.1" }]);
    cert.setIssuer(caName);
    cert.setExtensions([
        { name: "basicConstraints", cA: false, critical: true },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
        { name: "extKeyUsage", serverAuth: true },
        // type 7 = iPAddress, type 2 = dNSName (RFC 5280 §4.2.1.6)
        { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }, { type: 2, value: "localhost" }] },
        { name: "subjectKeyIdentifier" },
        { name: "authorityKeyIdentifier", keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    ]);
    cert.sign(ca.privateKey, forge.md.sha256.create());

    const caPem = forge.pki.certificateToPem(caCert);
    const caFile = options.caFile ?? join(mkdtempSync(join(tmpdir(), "azure-nat-rules-ca-")), "ca.pem");
    writeFileSync(caFile, caPem);
    return { caPem, certPem: forge.pki.certificateToPem(cert), keyPem: server.keyPem, caFile };
}
