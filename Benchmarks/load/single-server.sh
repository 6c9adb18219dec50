# Sourced by allocations.sh and instructions.sh: one `serve --dev` on CPU 0 under a probe, loaded by wrk on
# CPU 1 with one review body. Expects NAME (the script's name, for messages) and the script's arguments.
#
#   BIN, BODY, LUA, PORT, WORK   the binary, the review, wrk's script, a free port, a scratch directory
#   need COMMAND [PACKAGE]       installs PACKAGE (default COMMAND) with apt-get when COMMAND is missing
#   start PROBE...               starts the server under PROBE (nothing: bare) and waits for /healthz
#   load DURATION CONNECTIONS    loads it; wrk's output on standard output (admission.lua's IG-RESULT line)
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
BIN=${1:-.build-release/release/identity-guard}
BODY=${2:-Benchmarks/load/user-create-validate.json}
LUA=Benchmarks/load/admission.lua
if [ ! -x "$BIN" ]; then
    echo "$NAME: no binary at $BIN (Benchmarks/release-build.sh)" >&2
    exit 2
fi

need() {
    command -v "$1" >/dev/null && return
    local package=${2:-$1}
    apt-get install -y "$package" >/dev/null 2>&1 \
        || { apt-get update >/dev/null; apt-get install -y "$package" >/dev/null; }
}

PORT=$((20000 + RANDOM % 20000))
WORK=$(mktemp -d)
SERVER=
trap '[ -n "$SERVER" ] && { kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; }; rm -rf "$WORK"' EXIT

start() {
    taskset -c 0 "$@" serve --dev --metrics-port 0 --shutdown-delay 0s --port "$PORT" >"$WORK/out" 2>"$WORK/log" &
    SERVER=$!
    # Under valgrind the server takes a while to listen.
    for _ in $(seq 600); do curl -skf "https://127.0.0.1:$PORT/healthz" >/dev/null && return; sleep 0.1; done
    echo "$NAME: the server did not answer /healthz; its log:" >&2
    tail -5 "$WORK/log" >&2
    exit 1
}

load() {
    IG_BODY=$BODY IG_EXPECT='"allowed":true' taskset -c 1 wrk -t1 -c"$2" -d"$1" -s "$LUA" \
        "https://127.0.0.1:$PORT/validate"
}

# Fails the script unless every answer in wrk's result line was an allowed 200.
check_answers() {
    if ! echo "$1" | grep -q 'non200=0 unexpected_body=0'; then
        echo "$NAME: some answers were wrong: $1" >&2
        exit 1
    fi
}
