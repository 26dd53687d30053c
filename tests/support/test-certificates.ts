import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** A certificate authority of a test's own and the certificates it signed, as PEM files. */
export interface TestCertificates {
  /** The CA's certificate: what clients are given to trust. */
  caFile: string;
  /** For 127.0.0.1 and localhost. */
  serverCertificateFile: string;
  /** Unencrypted PKCS#8, as Kafka's PEM key store and Node's TLS take it. */
  serverKeyFile: string;
  /** Key and certificate in one file (Kafka's `ssl.keystore.type=PEM`). */
  serverKeyStoreFile: string;
  /** A client certificate and its key, for brokers that authenticate clients by TLS. */
  clientCertificateFile: string;
  clientKeyFile: string;
}

/**
 * Makes a CA, a server certificate and a client certificate with openssl, in `directory`. EC P-256 keys,
 * valid for a day: generated in milliseconds, where RSA keys would take a noticeable part of a second each.
 */
export function generateTestCertificates(directory: string): TestCertificates {
  const file = (name: string) => path.join(directory, name);
  const openssl = (args: string) => {
    try {
      execFileSync("openssl", args.split(" "), { cwd: directory, stdio: ["ignore", "ignore", "pipe"] });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      throw new Error(
        "openssl is required to make the test's certificates (Debian: apt-get install openssl)",
        {
          cause: error,
        },
      );
    }
  };
  const newKey = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
  openssl(`req -x509 ${newKey} -keyout ca.key -out ca.pem -days 1 -subj /CN=whatsapp-events-test-CA`);
  const sign = (name: string, subject: string, extensions: string) => {
    writeFileSync(file(`${name}.ext`), extensions);
    openssl(`req ${newKey} -keyout ${name}.key -out ${name}.csr -subj ${subject}`);
    openssl(
      `x509 -req -in ${name}.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out ${name}.pem -days 1 -extfile ${name}.ext`,
    );
  };
  sign("server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  sign("client", "/CN=whatsapp-events", "extendedKeyUsage=clientAuth\n");
  const keyStore = readFileSync(file("server.key"), "utf8") + readFileSync(file("server.pem"), "utf8");
  writeFileSync(file("server-keystore.pem"), keyStore, { mode: 0o600 });
  return {
    caFile: file("ca.pem"),
    serverCertificateFile: file("server.pem"),
    serverKeyFile: file("server.key"),
    serverKeyStoreFile: file("server-keystore.pem"),
    clientCertificateFile: file("client.pem"),
    clientKeyFile: file("client.key"),
  };
}
