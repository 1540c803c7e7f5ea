"""The care-pathway simulation: SimPy owns the clock (hours, :mod:`twin.sim.clock`), Mesa
agents decide (:mod:`twin.sim.agents`), :func:`twin.sim.replication.run_replication` is the
pure entry point."""
