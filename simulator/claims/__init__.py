"""The claims lifecycle of the simulator (issue 3): front end (837 / 999 / 277CA), payer
adjudication (835, denials, appeals, reversals, COB, PLB) and back office (bank deposits,
patient accounting). `simulator.lifecycle` is the entry point."""
