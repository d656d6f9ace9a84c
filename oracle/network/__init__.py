"""The oracle network: peers, observations, quorum and transmission."""
