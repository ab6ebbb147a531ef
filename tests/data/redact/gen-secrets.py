#!/usr/bin/env python3
"""Write secrets.tsv: one planted secret per kind, in a log line.

Every value is random, made with a fixed seed in the shape its issuer
documents (prefix, alphabet, length, check digits), so that it is the
right shape and belongs to no one.  Columns, tab-separated:

    kind  category  secret  line

`secret` is the exact text that must never leave the host; `line` is an
error line that holds it (as an application would log it), tagged with
[kind] so that each line is its own error group.  Fields are escaped:
\\\\ is a backslash, \\n a line break (of a multi-line event), \\t a tab.

    python3 tests/data/redact/gen-secrets.py > tests/data/redact/secrets.tsv

The kinds follow the rules of secretlint's recommended preset and the
rule list of gitleaks.  secretlint 12.0.0 (npm, preset-recommend), run
over the lines, flags the 30 kinds it has rules for, which confirms
their shape; the others are shapes it has no rule for.
"""
import base64
import random
import string
import sys

R = random.Random(20261201)
UP = string.ascii_uppercase
LO = string.ascii_lowercase
DG = string.digits
AN = UP + LO + DG
HEX = "0123456789abcdef"
B64 = AN + "+/"
URL = AN + "-_"


def rnd(alphabet, n):
    """Random text that holds upper case, lower case and a digit where the
    alphabet has them (a random token almost always does)."""
    while True:
        s = "".join(R.choice(alphabet) for _ in range(n))
        need = [c for c in (UP, LO, DG) if set(c) & set(alphabet)]
        if n < 8 or all(set(s) & set(c) for c in need):
            return s


def luhn_complete(prefix, n):
    digits = prefix + "".join(R.choice(DG) for _ in range(n - len(prefix) - 1))
    total = 0
    for i, c in enumerate(reversed(digits)):
        v = int(c)
        if i % 2 == 0:
            v *= 2
            if v > 9:
                v -= 9
        total += v
    return digits + str((10 - total % 10) % 10)


def uuid():
    h = rnd(HEX, 32)
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def pem_body():
    return "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" + rnd(B64, 96)


KINDS = []


def escape(field):
    """Backslash, line break and tab as \\\\, \\n and \\t."""
    return field.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def kind(name, category, secret, template):
    KINDS.append((name, category, secret, template.replace("{S}", secret)))


def main():
    ts = "2026-11-22 10:%02d:%02d"
    # cloud providers
    akia = "AKIA" + rnd(UP + DG, 16)
    kind("aws-access-key-id", "cloud", akia,
         "ERROR botocore: InvalidAccessKeyId when calling PutObject with key {S}")
    kind("aws-secret-access-key", "cloud", rnd(B64, 40),
         "ERROR boto config: aws_secret_access_key = {S} rejected")
    kind("aws-secret-bare", "cloud", rnd(AN, 40),
         "ERROR s3 upload failed with credentials " + "AKIA" + rnd(UP + DG, 16) + " {S} (profile default)")
    kind("aws-session-token", "cloud", "FwoGZXIvYXdzE" + rnd(B64, 120),
         "ERROR sts: ExpiredToken aws_session_token={S}")
    kind("azure-storage-account-key", "cloud", rnd(B64, 86) + "==",
         "ERROR azure.core.exceptions.ClientAuthenticationError: DefaultEndpointsProtocol=https;"
         "AccountName=prodlogs;AccountKey={S};EndpointSuffix=core.windows.net")
    kind("azure-sas-signature", "cloud", rnd(AN, 40) + "%2B" + rnd(AN, 3) + "%3D",
         "ERROR 403 AuthenticationFailed GET https://prodlogs.blob.core.windows.net/c/b.txt?"
         "sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-12-01T00:00:00Z&spr=https&sig={S}")
    kind("azure-service-bus-key", "cloud", rnd(B64, 43) + "=",
         "ERROR amqp: unauthorized Endpoint=sb://orders.servicebus.windows.net/;"
         "SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={S}")
    kind("azure-entra-client-secret", "cloud", rnd(AN, 3) + R.choice(DG) + "Q~" + rnd(URL, 34),
         "ERROR msal: AADSTS7000215 invalid credential {S} for app " + uuid())
    kind("gcp-api-key", "cloud", "AIza" + rnd(URL, 35),
         "ERROR maps: REQUEST_DENIED for key {S}")
    kind("gcp-private-key-id", "cloud", rnd(HEX, 40),
         'ERROR google.auth: invalid service account {"type": "service_account", '
         '"private_key_id": "{S}", "client_email": "svc@proj.iam.gserviceaccount.com"}')
    body = pem_body()
    kind("gcp-private-key", "cloud", body,
         'ERROR google.auth: cannot load {"private_key": "-----BEGIN PRIVATE KEY-----\\n'
         + body + '\\n-----END PRIVATE KEY-----\\n"}')
    kind("gcp-oauth-client-secret", "cloud", "GOCSPX-" + rnd(URL, 28),
         "ERROR oauth2: invalid_client with {S}")
    kind("gcp-oauth-access-token", "cloud", "ya29." + rnd(URL, 120),
         "ERROR google.auth: RefreshError token {S} expired")
    kind("digitalocean-token", "cloud", "dop_v1_" + rnd(HEX, 64),
         "ERROR doctl: Unable to authenticate you with {S}")
    kind("digitalocean-oauth-token", "cloud", "doo_v1_" + rnd(HEX, 64),
         "ERROR digitalocean api 401 for {S}")
    kind("alibaba-access-key-id", "cloud", "LTAI" + rnd(AN, 20),
         "ERROR aliyun: InvalidAccessKeyId.NotFound {S}")
    kind("heroku-api-key", "cloud", "HRKU-AA" + rnd(URL, 58),
         "ERROR heroku: Invalid credentials provided {S}")
    kind("openshift-token", "cloud", "sha256~" + rnd(URL, 43),
         "ERROR oc login failed with {S}")
    kind("tailscale-auth-key", "cloud", "tskey-auth-k" + rnd(AN, 11) + "-" + rnd(AN, 32),
         "ERROR tailscale up: invalid key {S}")
    kind("vercel-token", "cloud", "vcp_" + rnd(AN, 48),
         "ERROR vercel deploy: 403 with {S}")
    kind("netlify-token", "cloud", "nfp_" + rnd(AN, 36),
         "ERROR netlify: Unauthorized {S}")
    kind("render-api-key", "cloud", "rnd_" + rnd(AN, 32),
         "ERROR render: 401 {S}")
    kind("dynatrace-token", "cloud", "dt0c01." + rnd(UP + DG, 24) + "." + rnd(UP + DG, 64),
         "ERROR dynatrace ingest refused {S}")
    # CI, package registries, secret stores
    kind("github-pat", "ci", "ghp_" + rnd(AN, 36),
         "ERROR git push: Bad credentials {S}")
    kind("github-fine-grained-pat", "ci", "github_pat_" + rnd(AN, 22) + "_" + rnd(AN, 59),
         "ERROR gh api: 401 for {S}")
    kind("gitlab-pat", "ci", "glpat-" + rnd(URL, 20),
         "ERROR gitlab: 401 Unauthorized {S}")
    kind("gitlab-runner-token", "ci", "glrt-" + rnd(URL, 20),
         "ERROR gitlab-runner: forbidden {S}")
    kind("npm-token", "registry", "npm_" + rnd(AN, 36),
         "ERROR npm error code E401 Unable to authenticate with {S}")
    kind("pypi-token", "registry", "pypi-AgEIcHlwaS5vcmc" + rnd(URL, 70),
         "ERROR twine: 403 Invalid or non-existent authentication information {S}")
    kind("rubygems-key", "registry", "rubygems_" + rnd(HEX, 48),
         "ERROR gem push: Access Denied {S}")
    kind("nuget-key", "registry", "oy2" + rnd(LO + DG, 43),
         "ERROR nuget push: 403 api key {S}")
    kind("docker-hub-pat", "registry", "dckr_pat_" + rnd(URL, 27),
         "ERROR docker login: unauthorized {S}")
    kind("clojars-token", "registry", "CLOJARS_" + rnd(LO + DG, 60),
         "ERROR lein deploy: 401 {S}")
    kind("artifactory-api-key", "registry", "AKCp" + rnd(AN, 69),
         "ERROR jfrog artifactory refused the api key {S}")
    kind("circleci-token", "ci", "CCIPAT_" + rnd(AN, 22) + "_" + rnd(HEX, 40),
         "ERROR circleci pipeline trigger refused {S}")
    kind("buildkite-token", "ci", "bkua_" + rnd(HEX, 40),
         "ERROR buildkite agent could not register with {S}")
    kind("terraform-cloud-token", "ci", rnd(AN, 14) + ".atlasv1." + rnd(AN, 67),
         "ERROR terraform: Failed to request discovery document with {S}")
    kind("pulumi-token", "ci", "pul-" + rnd(HEX, 40),
         "ERROR pulumi login: 401 {S}")
    kind("doppler-token", "ci", "dp.pt." + rnd(AN, 43),
         "ERROR doppler: Invalid Auth token {S}")
    kind("vault-service-token", "ci", "hvs." + rnd(URL, 95),
         "ERROR vault: permission denied for {S}")
    kind("vault-legacy-token", "ci", "s." + rnd(AN, 24),
         "ERROR vault: 403 bad token {S}")
    kind("vault-batch-token", "ci", "hvb." + rnd(URL, 140),
         "ERROR vault: batch token {S} expired")
    kind("onepassword-service-token", "ci", "ops_eyJ" + rnd(AN, 150) + "fQ==",
         "ERROR op: invalid service account {S}")
    kind("grafana-cloud-token", "ci", "glc_" + rnd(AN, 48) + "==",
         "ERROR grafana-agent: 401 {S}")
    kind("grafana-service-account-token", "ci", "glsa_" + rnd(AN, 32) + "_" + rnd(HEX, 8),
         "ERROR grafana api 403 {S}")
    kind("sentry-user-token", "ci", "sntryu_" + rnd(HEX, 64),
         "ERROR sentry cli release upload refused {S}")
    dsn = rnd(HEX, 32)
    kind("sentry-dsn", "ci", dsn,
         "ERROR sentry_sdk: cannot send to https://{S}@o" + rnd(DG, 6) + ".ingest.sentry.io/" + rnd(DG, 7))
    kind("databricks-token", "database", "dapi" + rnd(HEX, 32),
         "ERROR databricks: 403 Invalid access token {S}")
    kind("supabase-token", "database", "sbp_" + rnd(HEX, 40),
         "ERROR supabase management api refused {S}")
    kind("planetscale-token", "database", "pscale_tkn_" + rnd(URL, 43),
         "ERROR pscale: unauthorized {S}")
    # chat and mail
    kind("slack-bot-token", "chat", "xoxb-" + rnd(DG, 12) + "-" + rnd(DG, 13) + "-" + rnd(AN, 24),
         "ERROR slack_sdk: invalid_auth {S}")
    kind("slack-app-token", "chat", "xapp-1-A" + rnd(UP + DG, 10) + "-" + rnd(DG, 13) + "-" + rnd(HEX, 64),
         "ERROR slack socket mode: invalid_auth for {S}")
    kind("slack-webhook", "chat", "T" + rnd(UP + DG, 10) + "/B" + rnd(UP + DG, 10) + "/" + rnd(AN, 24),
         "ERROR notify: 404 no_service https://hooks.slack.com/services/{S}")
    kind("discord-webhook", "chat", rnd(URL, 68),
         "ERROR discord: 401 https://discord.com/api/webhooks/" + rnd(DG, 18) + "/{S}")
    kind("discord-bot-token", "chat", "M" + rnd(AN, 25) + "." + rnd(URL, 6) + "." + rnd(URL, 38),
         "ERROR discord.py: LoginFailure improper token {S}")
    kind("telegram-bot-token", "chat", rnd(DG, 10) + ":AA" + rnd(URL, 33),
         "ERROR telegram: 401 Unauthorized bot {S}")
    kind("teams-webhook", "chat", uuid() + "@" + uuid() + "/IncomingWebhook/" + rnd(HEX, 32) + "/" + uuid(),
         "ERROR teams connector rejected the card at https://contoso.webhook.office.com/webhookb2/{S}")
    kind("sendgrid-key", "mail", "SG." + rnd(URL, 22) + "." + rnd(URL, 43),
         "ERROR sendgrid: 401 The provided authorization grant is invalid {S}")
    kind("mailgun-key", "mail", "key-" + rnd(HEX, 32),
         "ERROR mailgun: 401 Forbidden {S}")
    kind("mailchimp-key", "mail", rnd(HEX, 32) + "-us14",
         "ERROR mailchimp: API Key Invalid {S}")
    sid = "AC" + rnd(HEX, 32)
    kind("twilio-account-sid", "chat", sid,
         "ERROR twilio: HTTP 404 account {S} not found")
    kind("twilio-auth-token", "chat", rnd(HEX, 32),
         "ERROR twilio.base.exceptions.TwilioRestException: HTTP 401 Client('" + "AC" + rnd(HEX, 32) + "', '{S}')")
    kind("twilio-api-key", "chat", "SK" + rnd(HEX, 32),
         "ERROR twilio: 401 api key {S}")
    # SaaS and AI services
    kind("postman-key", "saas", "PMAK-" + rnd(HEX, 24) + "-" + rnd(HEX, 34),
         "ERROR newman collection run refused {S}")
    kind("newrelic-user-key", "saas", "NRAK-" + rnd(UP + DG, 27),
         "ERROR newrelic nerdgraph refused user key {S}")
    kind("atlassian-api-token", "saas", "ATATT3xFfGF0" + rnd(URL, 180),
         "ERROR jira cloud rejected the api token {S}")
    kind("linear-api-key", "saas", "lin_api_" + rnd(AN, 40),
         "ERROR linear: authentication failed {S}")
    kind("notion-token", "saas", "ntn_" + rnd(DG, 11) + rnd(AN, 35),
         "ERROR notion integration was not authorized with {S}")
    kind("figma-token", "saas", "figd_" + rnd(URL, 43),
         "ERROR figma: 403 Invalid token {S}")
    kind("shopify-token", "saas", "shpat_" + rnd(HEX, 32),
         "ERROR shopify admin api refused {S}")
    kind("airtable-pat", "saas", "pat" + rnd(AN, 14) + "." + rnd(HEX, 64),
         "ERROR airtable: 401 {S}")
    kind("huggingface-token", "ai", "hf_" + rnd(UP + LO, 34),
         "ERROR huggingface_hub: 401 Invalid user token {S}")
    kind("openai-key", "ai", "sk-proj-" + rnd(URL, 74) + "T3BlbkFJ" + rnd(URL, 74),
         "ERROR openai.AuthenticationError: Incorrect API key provided: {S}")
    kind("anthropic-key", "ai", "sk-ant-api03-" + rnd(URL, 93) + "AA",
         "ERROR anthropic: authentication_error {S}")
    kind("groq-key", "ai", "gsk_" + rnd(AN, 52),
         "ERROR groq: invalid_api_key {S}")
    kind("replicate-token", "ai", "r8_" + rnd(AN, 37),
         "ERROR replicate prediction refused {S}")
    # payments
    kind("stripe-secret-key", "payment", "sk_live_" + rnd(AN, 24),
         "ERROR stripe: Invalid API Key provided: {S}")
    kind("square-token", "payment", "sq0atp-" + rnd(URL, 22),
         "ERROR square: UNAUTHORIZED {S}")
    kind("braintree-token", "payment", "access_token$production$" + rnd(LO + DG, 16) + "$" + rnd(HEX, 32),
         "ERROR braintree: AuthenticationError {S}")
    # databases
    kind("postgres-url-password", "database", rnd(AN, 16),
         "ERROR psycopg2.OperationalError: connection to postgres://app:{S}@db.internal:5432/app failed")
    kind("mysql-url-password", "database", rnd(AN, 16),
         "ERROR sqlalchemy: mysql+pymysql://root:{S}@mysql:3306/shop refused")
    kind("mongodb-srv-password", "database", rnd(AN, 16),
         "ERROR pymongo: bad auth mongodb+srv://svc:{S}@cluster0.abcde.mongodb.net/app")
    kind("redis-url-password", "database", rnd(AN, 16),
         "ERROR redis.exceptions.AuthenticationError: redis://:{S}@cache:6379/0")
    kind("jdbc-sqlserver-password", "database", rnd(AN, 16),
         "ERROR Login failed jdbc:sqlserver://db:1433;databaseName=app;user=sa;password={S};")
    kind("ado-net-password", "database", rnd(AN, 16),
         "ERROR SqlException: Server=tcp:db.example.net,1433;Database=app;User ID=app;Password={S};")
    # command-line flags
    kind("mysql-p-flag", "cli", rnd(AN, 14),
         "ERROR backup.sh: command failed: mysqldump -u root -p{S} --all-databases")
    kind("mysql-password-option", "cli", rnd(AN, 14),
         "ERROR cron: mysql --user=app --password={S} -e 'select 1' exited 1")
    kind("pgpassword-env", "cli", rnd(AN, 14),
         "ERROR deploy: PGPASSWORD={S} psql -h db -U app failed")
    kind("mysql-pwd-env", "cli", rnd(AN, 14),
         "ERROR job env MYSQL_PWD={S} rejected by server")
    kind("sshpass-flag", "cli", rnd(AN, 14),
         "ERROR rsync wrapper: sshpass -p {S} ssh deploy@web1 exited 255")
    kind("redis-cli-flag", "cli", rnd(AN, 14),
         "ERROR healthcheck: redis-cli -h cache -a {S} ping: NOAUTH")
    kind("curl-user-flag", "cli", rnd(AN, 14),
         "ERROR probe: curl -sf -u admin:{S} https://admin.internal/health exited 22")
    kind("mongosh-flag", "cli", rnd(AN, 14),
         "ERROR migrate: mongosh --host db -u admin -p {S} failed")
    kind("docker-login-flag", "cli", rnd(AN, 14),
         "ERROR ci: docker login -u bot -p {S} registry.internal failed")
    kind("keytool-storepass", "cli", rnd(AN, 14),
         "ERROR keytool -importcert -keystore app.jks -storepass {S} failed")
    kind("openssl-passin", "cli", rnd(AN, 14),
         "ERROR openssl pkcs12 -in cert.p12 -passin pass:{S} failed: mac verify failure")
    kind("ldapsearch-flag", "cli", rnd(AN, 14),
         "ERROR sync: ldapsearch -x -D cn=admin,dc=example,dc=org -w {S} failed: Invalid credentials (49)")
    # HTTP headers and cookies
    kind("set-cookie-session", "cookie", rnd(URL, 32),
         "ERROR proxy: upstream said Set-Cookie: session={S}; Path=/; HttpOnly; Secure")
    kind("cookie-header-session", "cookie", rnd(URL, 40),
         "ERROR access denied for request with Cookie: theme=dark; sessionid={S}; lang=en")
    kind("basic-auth-header", "header", rnd(B64, 24) + "==",
         "ERROR upstream 401 Authorization: Basic {S}")
    kind("basic-auth-in-text", "header",
         base64.b64encode(("deploy:" + rnd(AN, 14)).encode()).decode(),
         'ERROR webhook call rejected, sent header "Basic {S}" to the proxy')
    kind("bearer-jwt", "header", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI" + rnd(URL, 20) + "In0." + rnd(URL, 43),
         "ERROR api 401 Authorization: Bearer {S}")
    kind("x-api-key-header", "header", rnd(AN, 32),
         "ERROR gateway 403 X-Api-Key: {S}")
    # personal data
    kind("phone-e164", "phone", "+1415" + rnd(DG, 7),
         "ERROR sms send failed to {S}: unreachable")
    kind("phone-international", "phone", "+44 20 " + rnd(DG, 4) + " " + rnd(DG, 4),
         "ERROR callback to {S} failed")
    kind("phone-nanp", "phone", "(415) 555-" + rnd(DG, 4),
         "ERROR voice call to {S} failed: busy")
    card = luhn_complete("4", 16)
    kind("card-dots", "card", ".".join(card[i:i + 4] for i in range(0, 16, 4)),
         "ERROR payment declined for card {S}")
    card = luhn_complete("51", 16)
    kind("card-spaces", "card", " ".join(card[i:i + 4] for i in range(0, 16, 4)),
         "ERROR charge failed card {S} exp 12/28")
    card = luhn_complete("37", 15)
    kind("card-dashes", "card", card[:4] + "-" + card[4:10] + "-" + card[10:],
         "ERROR amex declined {S}")
    kind("email", "personal", rnd(LO, 8) + "." + rnd(LO, 6) + "@example.com",
         "ERROR password reset mail bounced for {S}")
    kind("ipv4-client", "personal", "203.0.113.%d" % R.randint(1, 254),
         "ERROR too many failed logins from {S}")
    # keys
    kind("rsa-private-key", "key", rnd(B64, 100),
         "ERROR tls: cannot parse -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA{S}\n-----END RSA PRIVATE KEY-----")
    kind("openssh-private-key", "key", rnd(B64, 100),
         "ERROR ssh: bad key -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA{S}\n-----END OPENSSH PRIVATE KEY-----")
    kind("age-secret-key", "key", "AGE-SECRET-KEY-1" + rnd("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58),
         "ERROR sops: failed to decrypt with {S}")

    out = sys.stdout
    for i, (name, cat, secret, line) in enumerate(KINDS):
        tagged = line.replace("ERROR ", "ERROR [%s] " % name, 1)
        assert secret in tagged, name
        line = "%s %s" % (ts % (i // 60, i % 60), tagged)
        out.write("\t".join(escape(f) for f in (name, cat, secret, line)) + "\n")


if __name__ == "__main__":
    main()
