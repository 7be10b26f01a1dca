#!/usr/bin/env python3
"""Measures the gas of every FairDelegationRegistry call and of the escrow's ETH and ERC-20 paths
(docs/contract.md, "Registry gas" and "ERC-20 wages").

Compiles with forge (the same settings as the build's compile.js; forge also builds the test tokens, which
import OpenZeppelin's ERC20 from node_modules), starts anvil on a free port, sends each call with cast as the
nodes would, prints gasUsed of each receipt and stops anvil. Nothing is written into the repository.

Usage (from the repository root): python3 contracts/tools/market-gas.py
"""
import json, os, shutil, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANVIL = os.path.join(ROOT, "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil")
CAST = os.path.join(ROOT, "node_modules/@foundry-rs/cast-linux-amd64/bin/cast")
FORGE = os.path.join(ROOT, "node_modules/@foundry-rs/forge-linux-amd64/bin/forge")
# anvil's dev keys 0 (deployer) and 1 (the provider's node identity, also the customer of the escrow runs);
# the payee is dev account 2 (it submits its own claims, as the provider's node does).
DEPLOYER = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
PROVIDER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
PAYEE = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
PAYEE_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"
CUSTOMER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
WORK_HASH = "0x01e36180f2e0b5d8af23dcef7d19c006e7721ee3b898f57c2dfbc62059e5f125"
DETAILS = "0x95c6de47a324b2e312820eeb86fa5546328606940eced73489b9492990677110"
TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
ENDPOINT = "http://provider-1.example.org:5080"
OFFER_TUPLE = "(string,address,uint256,uint8,uint64,uint32)[]"
ONE_OFFER = "[(train-linear-model,0x0000000000000000000000000000000000000000,10000000000000000,0,0,4)]"
TWO_OFFERS = f"[(train-linear-model,0x0000000000000000000000000000000000000000,10000000000000000,0,0,4),(train-linear-model,{TOKEN},25000000,1,1000,4)]"
FOUR_OFFERS = TWO_OFFERS[:-1] + f",(classify-images,0x0000000000000000000000000000000000000000,2000000000000000,1,100000,16),(classify-images,{TOKEN},5000000,1,100000,16)]"
MIN_STAKE = 10**17
DELAY = 7 * 24 * 3600


def run(args):
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{args[0]} {' '.join(args[1:3])} failed: {r.stderr.strip() or r.stdout.strip()}")
    return r.stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def work_key(i):
    """A fresh work key per escrow (its private key i + 1000, never a funded account)."""
    sk = 1000 + i
    return sk, run([CAST, "wallet", "address", "--private-key", "0x%064x" % sk])


def escrow_gas(cast, send, bytecode):
    escrow = send(DEPLOYER, "--create", "0x" + bytecode("FairDelegationEscrow.sol", "FairDelegationEscrow"))["contractAddress"]
    rows = []
    measure = lambda label, receipt: rows.append((label, int(receipt["gasUsed"], 16))) or receipt
    now = int(json.loads(cast("block", "--json"))["timestamp"], 16)
    deadline = now + 3600
    amount = 10**15
    # ETH path, as `fairdelegation bench gas` runs it: the customer opens, the payee claims its own escrow.
    sk, key = work_key(0)
    measure("ETH open", send(PROVIDER_KEY, escrow, "open(bytes32,address,address,bytes32,uint256)", DETAILS, PAYEE, key, WORK_HASH,
                             str(deadline), "--value", str(amount)))
    terms = f"({CUSTOMER},{PAYEE},{key},{WORK_HASH},{amount},{deadline})"
    measure("ETH claim (by the payee)", send(PAYEE_KEY, escrow, "claim((address,address,address,bytes32,uint256,uint256),uint256)", terms, str(sk)))
    sk, key = work_key(1)
    send(PROVIDER_KEY, escrow, "open(bytes32,address,address,bytes32,uint256)", DETAILS, PAYEE, key, WORK_HASH, str(deadline), "--value", str(amount))
    refund_key = key
    # Token path: OpenZeppelin's ERC20 (TestToken) and a token returning no bool. First the customer approves the
    # escrow for exactly what it opens (the allowance goes to zero: a write that earns the 4,800 refund), then once
    # for everything (type(uint256).max: never written).
    open_sig = "openToken(bytes32,address,address,bytes32,uint256,uint256,address)"
    claim_sig = "claimToken((address,address,address,bytes32,uint256,uint256,address),uint256)"
    refunds = []
    for n, name in enumerate(["TestToken", "NoBoolToken"]):
        token = send(DEPLOYER, "--create", "0x" + bytecode("TestTokens.sol", name))["contractAddress"]
        send(DEPLOYER, token, "mint(address,uint256)", CUSTOMER, str(10**24))
        label = "OZ ERC20" if name == "TestToken" else "no-bool token"
        keys = [work_key(10 + 10 * n + i) for i in range(4)]
        opening = lambda k: (DETAILS, PAYEE, k[1], WORK_HASH, str(amount), str(deadline), token)
        send(PROVIDER_KEY, token, "approve(address,uint256)", escrow, str(amount))
        measure(f"{label}: openToken (escrow holds none of the token yet)", send(PROVIDER_KEY, escrow, open_sig, *opening(keys[0])))
        send(PROVIDER_KEY, token, "approve(address,uint256)", escrow, str(amount))
        measure(f"{label}: openToken (escrow holds the token)", send(PROVIDER_KEY, escrow, open_sig, *opening(keys[1])))
        # A customer node that approved the escrow once for everything: the allowance is never written.
        send(PROVIDER_KEY, token, "approve(address,uint256)", escrow, str(2**256 - 1))
        measure(f"{label}: openToken (escrow holds the token; allowance = max)", send(PROVIDER_KEY, escrow, open_sig, *opening(keys[2])))
        send(PROVIDER_KEY, escrow, open_sig, *opening(keys[3]))
        terms = lambda k: f"({CUSTOMER},{PAYEE},{k[1]},{WORK_HASH},{amount},{deadline},{token})"
        measure(f"{label}: claimToken (payee held none before)", send(PAYEE_KEY, escrow, claim_sig, terms(keys[0]), str(keys[0][0])))
        measure(f"{label}: claimToken (payee holds some)", send(PAYEE_KEY, escrow, claim_sig, terms(keys[1]), str(keys[1][0])))
        refunds.append((label, terms(keys[3])))
    cast("rpc", "evm_setNextBlockTimestamp", str(deadline))
    measure("ETH refund (by the customer)", send(PROVIDER_KEY, escrow, "refund((address,address,address,bytes32,uint256,uint256))",
                                                 f"({CUSTOMER},{PAYEE},{refund_key},{WORK_HASH},{amount},{deadline})"))
    for label, terms in refunds:
        measure(f"{label}: refundToken (by the customer; escrow keeps some)", send(PROVIDER_KEY, escrow,
                "refundToken((address,address,address,bytes32,uint256,uint256,address))", terms))
    # Batched openings: gas per escrow at n = 1, 5, 10, ETH (openBatch) and OZ ERC20 (openTokenBatch, allowance max,
    # escrow already holding the token), against single opens in the same state.
    batch_rows = []
    deadline2 = int(json.loads(cast("block", "--json"))["timestamp"], 16) + 7200
    token = send(DEPLOYER, "--create", "0x" + bytecode("TestTokens.sol", "TestToken"))["contractAddress"]
    send(DEPLOYER, token, "mint(address,uint256)", CUSTOMER, str(10**24))
    send(PROVIDER_KEY, token, "approve(address,uint256)", escrow, str(2**256 - 1))
    seed_sk, seed_key = work_key(500)
    send(PROVIDER_KEY, escrow, open_sig, DETAILS, PAYEE, seed_key, WORK_HASH, str(amount), str(deadline2), token)
    next_key = [600]
    def openings(n):
        items = []
        for _ in range(n):
            _, k = work_key(next_key[0]); next_key[0] += 1
            items.append(f"({DETAILS},{PAYEE},{k},{WORK_HASH},{amount},{deadline2})")
        return "[" + ",".join(items) + "]"
    for n in [1, 5, 10]:
        eth = send(PROVIDER_KEY, escrow, "openBatch((bytes32,address,address,bytes32,uint256,uint256)[])", openings(n), "--value", str(n * amount))
        tok = send(PROVIDER_KEY, escrow, "openTokenBatch(address,(bytes32,address,address,bytes32,uint256,uint256)[])", token, openings(n))
        batch_rows.append((n, int(eth["gasUsed"], 16), int(tok["gasUsed"], 16)))
    print(f"{'openBatch / openTokenBatch':<30} {'ETH total':>10} {'ETH/escrow':>11} {'token total':>12} {'token/escrow':>13}")
    for n, e, t in batch_rows:
        print(f"n = {n:<26} {e:>10,} {e // n:>11,} {t:>12,} {t // n:>13,}")
    print()
    print(f"{'escrow call':<66} {'gas used':>9}")
    for label, gas in rows:
        print(f"{label:<66} {gas:>9,}")


def main():
    work = tempfile.mkdtemp(prefix="fd-market-gas-")
    port = free_port()
    rpc = f"http://127.0.0.1:{port}"
    anvil = subprocess.Popen([ANVIL, "--port", str(port), "--silent"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                run([CAST, "block-number", "--rpc-url", rpc])
                break
            except SystemExit:
                time.sleep(0.1)
        cast = lambda command, *a: run([CAST, command, "--rpc-url", rpc, *a])
        send = lambda key, *a: json.loads(cast("send", "--json", "--private-key", key, *a))
        # The contracts as the C# build compiles them (compile.js); the test tokens with forge (OpenZeppelin import).
        for c in ["FairDelegationRegistry", "FairDelegationEscrow"]:
            run(["node", os.path.join(ROOT, "contracts/tools/compile.js"), os.path.join(ROOT, "contracts", c + ".sol"), work])
        r = subprocess.run([FORGE, "build", "--offline", "--out", os.path.join(work, "out"), "--cache-path", os.path.join(work, "cache"),
                            "test/TestTokens.sol"], cwd=os.path.join(ROOT, "contracts"), capture_output=True, text=True,
                           env={**os.environ, "NO_COLOR": "1"})
        if r.returncode != 0:
            sys.exit("forge build failed: " + r.stdout + r.stderr)

        def bytecode(file, name):
            if file == name + ".sol":
                return open(os.path.join(work, name + ".bin")).read().strip()
            return json.load(open(os.path.join(work, "out", file, name + ".json")))["bytecode"]["object"].removeprefix("0x")

        code = bytecode("FairDelegationRegistry.sol", "FairDelegationRegistry")
        ctor = run([CAST, "abi-encode", "f(uint256,uint256)", str(MIN_STAKE), str(DELAY)])[2:]
        created = send(DEPLOYER, "--create", "0x" + code + ctor)
        reg = created["contractAddress"]
        rows = [("deploy (minStake 0.1 ETH, delay 7 days)", created)]

        def call(label, signature, *args, value=None):
            extra = ["--value", str(value)] if value is not None else []
            receipt = send(PROVIDER_KEY, reg, signature, *args, *extra)
            assert receipt["status"] == "0x1", f"{label}: reverted"
            rows.append((label, receipt))

        register = f"register(string,address,{OFFER_TUPLE})"
        update = f"update(string,address,{OFFER_TUPLE})"
        call("register, 1 offer", register, ENDPOINT, PAYEE, ONE_OFFER, value=MIN_STAKE)
        call("update, 1 offer", update, ENDPOINT, PAYEE, ONE_OFFER)
        call("update, 2 offers (ETH + token)", update, ENDPOINT, PAYEE, TWO_OFFERS)
        call("update, 4 offers", update, ENDPOINT, PAYEE, FOUR_OFFERS)
        call("addStake", "addStake()", value=MIN_STAKE)
        call("deregister", "deregister()")
        call("register again while unbonding, 2 offers", register, ENDPOINT, PAYEE, TWO_OFFERS, value=0)
        call("deregister", "deregister()")
        cast("rpc", "evm_increaseTime", str(DELAY))
        call("withdraw (after the delay)", "withdraw()")
        call("register, 2 offers (slot was cleared)", register, ENDPOINT, PAYEE, TWO_OFFERS, value=MIN_STAKE)
        print(f"{'registry call':<44} {'gas used':>9}")
        for label, receipt in rows:
            print(f"{label:<44} {int(receipt['gasUsed'], 16):>9,}")
        print()
        escrow_gas(cast, send, bytecode)
    finally:
        anvil.terminate()
        anvil.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
