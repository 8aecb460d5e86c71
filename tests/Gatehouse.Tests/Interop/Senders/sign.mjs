// Signs webhook deliveries as their senders' own libraries do, for Gatehouse's interop tests. Reads
// {"scheme", "secrets", "body", "id", "timestamp"} on stdin and writes the headers to send, as JSON, on stdout.
//   standardwebhooks — npm standardwebhooks 1.3.0 (standard-webhooks/standard-webhooks, libraries/javascript/src/index.ts):
//                      Webhook.sign per secret; during a rotation a sender signs with each secret, space-separated.
//   github           — npm @octokit/webhooks-methods 6.0.0 sign() (src/node/sign.ts), the X-Hub-Signature-256 value.
//   slack            — Slack's documented recipe ("Verifying requests from Slack"), with node's own crypto:
//                      v0= hex HMAC-SHA256 of "v0:{timestamp}:{body}".
import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { sign } from "@octokit/webhooks-methods";

let text = "";
for await (const chunk of process.stdin) text += chunk;
const input = JSON.parse(text);
let headers;
if (input.scheme === "standardwebhooks") {
  const at = new Date(input.timestamp * 1000);
  const signatures = input.secrets.map(secret => new Webhook(secret).sign(input.id, at, input.body));
  headers = { "webhook-id": input.id, "webhook-timestamp": String(input.timestamp), "webhook-signature": signatures.join(" ") };
} else if (input.scheme === "github") {
  headers = { "X-Hub-Signature-256": await sign(input.secrets[0], input.body), "X-GitHub-Delivery": input.id };
} else if (input.scheme === "slack") {
  const signature = "v0=" + createHmac("sha256", input.secrets[0]).update(`v0:${input.timestamp}:${input.body}`).digest("hex");
  headers = { "X-Slack-Signature": signature, "X-Slack-Request-Timestamp": String(input.timestamp) };
} else {
  throw new Error(`unknown scheme ${input.scheme}`);
}
process.stdout.write(JSON.stringify(headers));
