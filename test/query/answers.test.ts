// The RFC answer tables of test/query/answers/, each row asked of rotor's message
// handler in this process (one process for them all: a process per table cost
// more in start-up than the rows take).
import { additional } from './answers/additional.js';
import { alias } from './answers/alias.js';
import { any } from './answers/any.js';
import { authoritative } from './answers/authoritative.js';
import { cname } from './answers/cname.js';
import { delegation, wideDelegation } from './answers/delegation.js';
import { dname, dnameZones } from './answers/dname.js';
import { ent } from './answers/ent.js';
import { negative } from './answers/negative.js';
import { answerTable } from './answers/table.js';
import { wildcard } from './answers/wildcard.js';
import { zones } from './answers/zones.js';

for (const table of [authoritative, additional, any, cname, delegation, wideDelegation, dname, dnameZones, ent, negative, wildcard, zones, alias]) answerTable(table);
