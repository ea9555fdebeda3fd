#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# deploy/skbscope-daemonset.yaml: it parses as YAML (python3-yaml) and holds
# what skbscope needs on a node: a DaemonSet, privileged, in the host's
# network and PID namespaces, with BTF, tracefs, debugfs and
# /var/run/netns mounted, in line mode with --output-json, and flags this
# skbscope accepts. With kubeconform installed, also against the
# Kubernetes schemas. Runs without root.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
YAML=deploy/skbscope-daemonset.yaml

if ! python3 -c 'import yaml' 2>/dev/null; then
	not_ok "python3-yaml is missing (Debian package python3-yaml; make deps installs it)"
	finish
	exit 1
fi
out=$(python3 - "$YAML" <<'PY' 2>&1
import sys, yaml
def say(ok, what):
    print(("ok " if ok else "FAIL ") + what)
try:
    docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
except yaml.YAMLError as e:
    say(False, "parses as YAML: " + " ".join(str(e).split()))
    sys.exit(1)
say(True, "parses as YAML")
say(len(docs) == 1, "one document")
d = docs[0]
say(d.get("apiVersion") == "apps/v1" and d.get("kind") == "DaemonSet",
    "an apps/v1 DaemonSet")
spec = d["spec"]["template"]["spec"]
sel = d["spec"]["selector"]["matchLabels"]
labels = d["spec"]["template"]["metadata"]["labels"]
say(all(labels.get(k) == v for k, v in sel.items()),
    "the selector matches the pod's labels")
say(spec.get("hostNetwork") is True, "hostNetwork")
say(spec.get("hostPID") is True, "hostPID")
c = spec["containers"][0]
say(c.get("securityContext", {}).get("privileged") is True, "privileged")
args = c.get("args", [])
say("--no-tui" in args and "--output-json" in args,
    "line mode with --output-json")
vols = {v["name"]: v for v in spec.get("volumes", [])}
mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
for path in ("/sys/kernel/btf", "/sys/kernel/tracing", "/sys/kernel/debug",
             "/var/run/netns"):
    m = mounts.get(path)
    v = vols.get(m["name"]) if m else None
    say(bool(v) and v.get("hostPath", {}).get("path") == path,
        "the host's %s is mounted there" % path)
say(all(m["name"] in vols for m in mounts.values()),
    "every mount names a volume")
for a in args:
    print("ARG " + a)
PY
)
while read -r res what; do
	case $res in
	ok) ok "$YAML: $what" ;;
	FAIL) not_ok "$YAML: $what" ;;
	ARG) ;;
	*) not_ok "$YAML does not parse: $res $what" ;;
	esac
done <<<"$(grep -v '^ARG ' <<<"$out")"

# The flags it passes are ones this skbscope takes: --list-funcs parses
# the whole command line and exits before tracing (no root needed).
mapfile -t argv < <(sed -n 's/^ARG //p' <<<"$out")
if [ "${#argv[@]}" -gt 0 ] &&
	err=$("$SKBSCOPE" "${argv[@]}" --list-funcs 2>&1 >/dev/null); then
	ok "$YAML: skbscope accepts its args (${argv[*]})"
else
	not_ok "$YAML: skbscope refuses its args (${argv[*]}): $(head -n1 <<<"$err")"
fi

if command -v kubeconform >/dev/null; then
	check "kubeconform -strict $YAML" kubeconform -strict -summary "$YAML"
else
	echo "kubeconform is not installed (not in Debian): the YAML parse and the checks above stand in"
fi
finish
