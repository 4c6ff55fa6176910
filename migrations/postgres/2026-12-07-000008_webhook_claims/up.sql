-- A delivery is claimed by one sender at a time: `claimed_by` names the claim (the node and its
-- round), `claimed_until` is when the lease ends. An unclaimed delivery has both NULL; a claim
-- whose lease has passed (its node died) may be taken by another node.
ALTER TABLE webhook_deliveries
    ADD COLUMN claimed_by TEXT,
    ADD COLUMN claimed_until TIMESTAMP;
