#!/usr/bin/env python3
"""Measures what a tombstone on refund would cost (docs/contract.md, "Refund and the work key's reuse").

Builds throwaway variants of FairDelegationEscrow.sol that differ only in refund's body, compiles each with the
build's own compile.js (solcjs, same settings), and measures open and refund on one anvil (started here on a free
port, stopped at the end). Every variant runs from the same evm_snapshot with the same inputs and timestamps, so
the figures differ only by the contract. Nothing is written into the repository.

Usage (from the repository root): python3 contracts/tools/refund-variants.py
"""
import json, os, re, shutil, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANVIL = os.path.join(ROOT, "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil")
CAST = os.path.join(ROOT, "node_modules/@foundry-rs/cast-linux-amd64/bin/cast")
SOURCE = os.path.join(ROOT, "contracts/FairDelegationEscrow.sol")
# anvil's dev keys 0 (deployer) and 1 (customer); the payee is dev account 2.
DEPLOYER = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
CUSTOMER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
CUSTOMER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
PAYEE = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
# The same kind of values as `fairdelegation bench gas`: a fresh work key, a SHA-256, 0.001 ETH.
WORK_KEY = "0x1D96F2f6BeF1202E4Ce1Ff6Dad0c2CB002861d3e"
WORK_HASH = "0x01e36180f2e0b5d8af23dcef7d19c006e7721ee3b898f57c2dfbc62059e5f125"
DETAILS = "0x95c6de47a324b2e312820eeb86fa5546328606940eced73489b9492990677110"
AMOUNT = 1_000_000_000_000_000
DEADLINE = 1_900_003_600

CURRENT = """        delete escrows[terms.workKey];
        emit Refunded(terms.workKey);
        _pay(terms.customer, terms.amount);"""

# The whole of refund in assembly: the least code a standard refund(Terms) can run (no error data on revert).
FLOOR = """    function refund(Terms calldata terms) external {
        assembly {
            if lt(timestamp(), calldataload(add(terms, 0xa0))) { revert(0, 0) }
            mstore(0, calldataload(add(terms, 0x40)))
            mstore(0x20, escrows.slot)
            let slot := keccak256(0, 0x40)
            let p := mload(0x40)
            calldatacopy(p, terms, 0xc0)
            if iszero(eq(sload(slot), keccak256(p, 0xc0))) { revert(0, 0) }
            sstore(slot, SLOT_AFTER)
            if iszero(call(gas(), calldataload(terms), calldataload(add(terms, 0x80)), 0, 0, 0, 0)) { revert(0, 0) }
        }
    }"""

VARIANTS = [
    ("A  clear slot + Refunded event (the contract as built)", CURRENT),
    ("B  clear slot, no event", """        delete escrows[terms.workKey];
        _pay(terms.customer, terms.amount);"""),
    ("C  tombstone + Refunded event", """        escrows[terms.workKey] = bytes32(uint256(2));
        emit Refunded(terms.workKey);
        _pay(terms.customer, terms.amount);"""),
    ("D  tombstone, no event", """        escrows[terms.workKey] = bytes32(uint256(2));
        _pay(terms.customer, terms.amount);"""),
    ("E  tombstone, no event, refund all in assembly", FLOOR.replace("SLOT_AFTER", "2")),
    ("F  clear slot, no event, refund all in assembly", FLOOR.replace("SLOT_AFTER", "0")),
    # G drops the customer from the calldata (refund(payee, workKey, workHash, amount, deadline), the caller must be
    # the customer): one ABI word less than E, the cheapest tombstone this script knows of.
    ("G  as E, customer = msg.sender, 5 words of calldata", """    function refund(address payee, address workKey, bytes32 workHash, uint256 amount, uint256 deadline) external {
        assembly {
            if lt(timestamp(), deadline) { revert(0, 0) }
            mstore(0, workKey)
            mstore(0x20, escrows.slot)
            let slot := keccak256(0, 0x40)
            let p := mload(0x40)
            mstore(p, caller())
            calldatacopy(add(p, 0x20), 4, 0xa0)
            if iszero(eq(sload(slot), keccak256(p, 0xc0))) { revert(0, 0) }
            sstore(slot, 2)
            if iszero(call(gas(), caller(), amount, 0, 0, 0, 0)) { revert(0, 0) }
            pop(payee)
            pop(workHash)
        }
    }"""),
]


def variant_source(body):
    src = open(SOURCE).read()
    assert src.count(CURRENT) == 1, "refund's body changed: update refund-variants.py"
    if body.lstrip().startswith("function refund"):
        start = src.index("    function refund(Terms calldata terms) external {")
        end = src.index(CURRENT) + len(CURRENT)
        end = src.index("    }\n", end) + len("    }")
        return src[:start] + body + src[end:]
    return src.replace(CURRENT, body)


def run(args, **kw):
    r = subprocess.run(args, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"{args[0]} {' '.join(args[1:3])} failed: {r.stderr.strip() or r.stdout.strip()}")
    return r.stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    work = tempfile.mkdtemp(prefix="fd-refund-variants-")
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
        print(f"{'variant':<54} {'open':>8} {'refund':>8} {'refund - A':>11} {'init code':>9}")
        base = None
        for name, body in VARIANTS:
            d = os.path.join(work, str(len(name)) + name[0])
            os.makedirs(d)
            sol = os.path.join(d, "FairDelegationEscrow.sol")
            open(sol, "w").write(variant_source(body))
            run(["node", os.path.join(ROOT, "contracts/tools/compile.js"), sol, d])
            code = open(os.path.join(d, "FairDelegationEscrow.bin")).read().strip()
            snap = cast("rpc", "evm_snapshot")
            cast("rpc", "evm_setNextBlockTimestamp", "1900000000")
            created = send(DEPLOYER, "--create", "0x" + code)
            address = created["contractAddress"]
            opened = send(CUSTOMER_KEY, address, "open(bytes32,address,address,bytes32,uint256)", DETAILS, PAYEE, WORK_KEY, WORK_HASH,
                          str(DEADLINE), "--value", str(AMOUNT))
            cast("rpc", "evm_setNextBlockTimestamp", str(DEADLINE + 1))
            if "refund(address payee" in body:
                refunded = send(CUSTOMER_KEY, address, "refund(address,address,bytes32,uint256,uint256)", PAYEE, WORK_KEY, WORK_HASH,
                                str(AMOUNT), str(DEADLINE))
            else:
                terms = f"({CUSTOMER},{PAYEE},{WORK_KEY},{WORK_HASH},{AMOUNT},{DEADLINE})"
                refunded = send(CUSTOMER_KEY, address, "refund((address,address,address,bytes32,uint256,uint256))", terms)
            assert refunded["status"] == "0x1", f"{name}: refund failed"
            slot = cast("storage", address, run([CAST, "index", "address", WORK_KEY, "0"]))
            o, r = int(opened["gasUsed"], 16), int(refunded["gasUsed"], 16)
            base = r if base is None else base
            print(f"{name:<54} {o:>8,} {r:>8,} {r - base:>+11,} {len(code) // 2:>9,}   slot after: {int(slot, 16)}")
            cast("rpc", "evm_revert", snap)
    finally:
        anvil.terminate()
        anvil.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
