# advice and summary name the Kubernetes pods of groups read from
# container logs laid out as the kubelet does: real files under
# var/log/pods, symlinks to them under var/log/containers.  One error comes
# from two pods of namespace shop, another from a pod of namespace batch,
# a third from a plain file.
. "$(dirname "$0")/lib.sh"
ID1=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ID2=1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ID3=2123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
# pod NAMESPACE POD UID CONTAINER ID MESSAGE...: CRI lines stamped now
pod() {
	d="$T/var/log/pods/$1_$2_$3/$4"
	mkdir -p "$d" "$T/var/log/containers"
	l="$T/var/log/containers/$2_$1_$4-$5.log"
	ln -sf "$d/0.log" "$l"
	shift 5
	for m in "$@"; do
		printf '%s stdout F %s\n' "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" "$m" >>"$d/0.log"
	done
}
pod shop web-7d9f u1 app "$ID1" "ERROR payment gateway timeout after 30s" "INFO retrying" \
	"ERROR payment gateway timeout after 30s"
pod shop web-a1b2 u2 app "$ID2" "ERROR payment gateway timeout after 30s"
pod batch worker-55c u3 job "$ID3" "ERROR queue jobs unreachable"
echo "ERROR local disk failing" >"$T/app.log"

"$QERRORS" tail --once --from-beginning --json "$T"/var/log/containers/*.log "$T/app.log" \
	>"$T/tail.out" 2>"$T/tail.err"
check "tail exits 0" test $? -eq 0
fp() { python3 -c 'import json,sys
print([json.loads(l)["fingerprint"] for l in open(sys.argv[1]) if "\"type\":\"event\"" in l and sys.argv[2] in l][0])' "$T/tail.out" "$1"; }
WEB=$(fp "payment gateway")
JOB=$(fp "queue jobs")
DISK=$(fp "local disk")
check "three groups ($WEB $JOB $DISK)" test -n "$WEB" -a -n "$JOB" -a -n "$DISK" -a "$WEB" != "$JOB"
check "the store counted the web group per container log" python3 - "$T/state/qerrors.db" "$WEB" "$ID1" "$ID2" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = sorted(db.execute("SELECT s.source, s.count FROM group_sources s JOIN groups g ON g.id = s.group_id WHERE g.fingerprint = ?", (sys.argv[2],)))
sys.exit(0 if [(s.rsplit("-", 1)[1], n) for s, n in rows] == [(sys.argv[3] + ".log", 2), (sys.argv[4] + ".log", 1)] else 1)
PY

# ---- advice ----
"$QERRORS" advice --json "$WEB" >"$T/a.json"
check "advice --json FP exits 0" test $? -eq 0
check "advice --json: pod, namespace, container, two pods with their counts" python3 - "$T/a.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
pods = sorted((p["pod"], p["namespace"], p["container"], p["count"]) for p in j["pod_list"])
ok = (j["pod"] in ("web-7d9f", "web-a1b2") and j["namespace"] == "shop" and j["container"] == "app"
      and j["pods"] == 2 and j["pods_capped"] is False
      and pods == [("web-7d9f", "shop", "app", 2), ("web-a1b2", "shop", "app", 1)]
      and j["pod"] == j["pod_list"][0]["pod"])
sys.exit(0 if ok else 1)
PY
"$QERRORS" advice "$WEB" >"$T/a.txt"
check "advice FP: the pod line" grep -qE '^pod +web-(7d9f|a1b2) \(namespace shop, container app\)$' "$T/a.txt"
check "advice FP: both pods" grep -qE '^pods +2: shop/web-(7d9f|a1b2) and shop/web-(7d9f|a1b2)$' "$T/a.txt"
"$QERRORS" advice "$DISK" >"$T/d.txt"
check "advice FP: no pod for a plain file" sh -c "! grep -q '^pod' '$T/d.txt'"
"$QERRORS" advice --json "$DISK" >"$T/d.json"
check "advice --json: null names and no pods for a plain file" python3 -c 'import json,sys
j=json.load(open(sys.argv[1])); sys.exit(0 if (j["pod"], j["namespace"], j["container"], j["pods"], j["pod_list"]) == (None, None, None, 0, []) else 1)' "$T/d.json"
"$QERRORS" advice >"$T/list.txt"
check "advice list: the batch pod under its group" grep -qx '    pod: worker-55c (namespace batch, container job)' "$T/list.txt"
"$QERRORS" advice --json >"$T/list.json"
check "advice --json list: pods per group" python3 -c 'import json,sys
g={x["fingerprint"]: x["pods"] for x in json.load(open(sys.argv[1]))["groups"]}
sys.exit(0 if g == {sys.argv[2]: 2, sys.argv[3]: 1, sys.argv[4]: 0} else 1)' "$T/list.json" "$WEB" "$JOB" "$DISK"

# ---- summary ----
LC_ALL=C "$QERRORS" summary >"$T/s.txt" 2>"$T/s.err"
check "summary exits 0" test $? -eq 0
check "summary: the web pod line" grep -qE '^          pod:      web-(7d9f|a1b2)  namespace shop  container app$' "$T/s.txt"
check "summary: the web pods" grep -qE '^          pods:     2: shop/web-(7d9f|a1b2) and shop/web-(7d9f|a1b2)$' "$T/s.txt"
check "summary: the batch pod" grep -qx '          pod:      worker-55c  namespace batch  container job' "$T/s.txt"
check "summary: one pod has no pods line, a plain file no pod line" test "$(grep -c '^          pod' "$T/s.txt")" -eq 3
"$QERRORS" summary --format json >"$T/s.json"
check "summary --json: names per group" python3 - "$T/s.json" "$WEB" "$JOB" "$DISK" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
g = {x["fingerprint"]: x for x in j["groups"]}
web, job, disk = g[sys.argv[2]], g[sys.argv[3]], g[sys.argv[4]]
ok = (j["namespace"] is None
      and web["namespace"] == "shop" and web["pods"] == 2
      and sorted(p["pod"] for p in web["pod_list"]) == ["web-7d9f", "web-a1b2"]
      and (job["pod"], job["namespace"], job["container"], job["pods"]) == ("worker-55c", "batch", "job", 1)
      and (disk["pod"], disk["pods"], disk["pod_list"]) == (None, 0, []))
sys.exit(0 if ok else 1)
PY
"$QERRORS" summary --format markdown >"$T/s.md"
check "summary markdown: pod, namespace and container" grep -qx -- '- \*\*Pod:\*\* `worker-55c`, \*\*namespace:\*\* `batch`, \*\*container:\*\* `job`' "$T/s.md"
check "summary markdown: the pods" grep -qE -- '^- \*\*Pods:\*\* 2: `shop/web-(7d9f|a1b2) and shop/web-(7d9f|a1b2)`$' "$T/s.md"

# ---- summary --namespace ----
LC_ALL=C "$QERRORS" summary --namespace batch >"$T/n.txt"
check "--namespace batch: exits 0" test $? -eq 0
check "--namespace batch: the header names it and counts its group alone" \
	grep -qE '^1 error group in the last 24h on .* in namespace batch: 1 event, 1 new$' "$T/n.txt"
check "--namespace batch: only the batch group" sh -c "grep -q 'queue jobs unreachable' '$T/n.txt' && ! grep -q 'payment gateway' '$T/n.txt' && ! grep -q 'local disk' '$T/n.txt'"
"$QERRORS" summary --namespace=shop --format json >"$T/n.json"
check "--namespace=shop --format json: the web group, its totals" python3 -c 'import json,sys
j=json.load(open(sys.argv[1]))
sys.exit(0 if j["namespace"] == "shop" and [g["fingerprint"] for g in j["groups"]] == [sys.argv[2]] and j["total_events"] == 3 and j["new_groups"] == 1 else 1)' "$T/n.json" "$WEB"
"$QERRORS" summary --namespace nothing-here >"$T/e.txt"
check "--namespace with no groups: says so" grep -qE '^no errors in the last 24h on .* in namespace nothing-here$' "$T/e.txt"
"$QERRORS" summary --namespace nothing-here --exit-code >/dev/null
check "--namespace with no groups: --exit-code finds nothing new" test $? -eq 0
"$QERRORS" summary --namespace batch --exit-code >/dev/null
check "--namespace batch --exit-code: a new group" test $? -eq 1
"$QERRORS" summary --namespace Shop_1 >/dev/null 2>"$T/bad.err"
check "--namespace: a bad name is a usage error" test $? -eq 2
check "--namespace: the message names the option and the value" grep -qF "option '--namespace' expects a Kubernetes namespace name" "$T/bad.err"
check "--namespace: and the value" grep -qF "not 'Shop_1'" "$T/bad.err"
check "completion offers --namespace" sh -c "'$QERRORS' --completion-helper=complete -- summary --na | grep -qx -- '--namespace='"

echo "1..$n"
