"""Oracle node: answers AI prediction requests from the OracleCoordinator contract."""
