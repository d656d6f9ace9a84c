"""Private, attested inputs: feature commitments, the envelope that encrypts features to the network's
nodes, the nodes' encryption keys, and data providers' EIP-712 attestations."""
