-- Every callback inserts its rgs_transaction rows when it claims them and updates them once with
-- the answer. None of the answer's columns is indexed, so that update can be HOT (no new index
-- entries) when the new row version fits on the row's own page; a table filled to 100 % leaves no
-- room, and each such update then wrote a new entry in all four indexes. Leave 30 % of each new page
-- free. Measured with test/bench/rgs-cost.bench.ts: HOT share of these updates 0.26 -> 0.68, WAL per
-- callback (both services) 6.6 -> 6.2 kB. (rgs_attempt's updates all change an indexed column.)
ALTER TABLE "rgs_transaction" SET (fillfactor = 70);
