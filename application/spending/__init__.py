"""The one spend path: every token spend (tip, pay-per-view unlock, paid message) is a wallet
debit by lots, the thing bought and its earnings hold, in one atomic save through group commit.

`commands` says what a fan asks for; `kinds` says what each kind checks and buys; `batch_writer`
plans and records batches; `service` validates and routes. Each depends only on those before it.
"""
