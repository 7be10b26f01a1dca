#!/usr/bin/env python3
"""Measures the gas of every FairDelegationRegistry call (docs/contract.md, "Registry gas").

Compiles the contract with the build's own compile.js (solcjs, same settings), starts anvil on a free port, sends
each call with cast as a provider would, prints gasUsed of each receipt and stops anvil. Nothing is written into
the repository.

Usage (from the repository root): python3 contracts/tools/market-gas.py
"""
import json, os, shutil, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANVIL = os.path.join(ROOT, "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil")
CAST = os.path.join(ROOT, "node_modules/@foundry-rs/cast-linux-amd64/bin/cast")
# anvil's dev keys 0 (deployer) and 1 (the provider's node identity); the payee is dev account 2.
DEPLOYER = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
PROVIDER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
PAYEE = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
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
        run(["node", os.path.join(ROOT, "contracts/tools/compile.js"), os.path.join(ROOT, "contracts/FairDelegationRegistry.sol"), work])
        code = open(os.path.join(work, "FairDelegationRegistry.bin")).read().strip()
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
        print(f"{'call':<44} {'gas used':>9}")
        for label, receipt in rows:
            print(f"{label:<44} {int(receipt['gasUsed'], 16):>9,}")
    finally:
        anvil.terminate()
        anvil.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
