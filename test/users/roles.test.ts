import t from 'tap';
import { ACTIONS, can, ROLES, type Action, type Role } from '../../src/users/roles.js';

// Written from issue 5 "Users and roles": cashier: sale; supervisor: void, refund (and what a
// cashier does); finance: reports and settlement; admin: users and configuration;
// technician: keys, hardware, software. Pre-auth and balance enquiry are sales-desk work;
// the console is for admin, technician and finance; factory reset is admin's or the
// technician's; the journal is read by supervisor, finance and admin.
const MAY: Record<Role, readonly Action[]> = {
  cashier: ['sale', 'preauth', 'balance'],
  supervisor: ['sale', 'preauth', 'balance', 'void', 'refund', 'journal.view'],
  finance: ['reports', 'settlement', 'journal.view', 'console.login'],
  admin: ['users.manage', 'config.read', 'config.write', 'backup', 'factory-reset', 'journal.view', 'capk.manage', 'console.login'],
  technician: ['keys.manage', 'hardware.diag', 'software.update', 'trace.manage', 'config.read', 'factory-reset', 'console.login'],
};

t.test('every role against every action', async (t) => {
  t.equal(ROLES.length, 5);
  for (const role of ROLES) {
    for (const action of ACTIONS) {
      t.equal(can(role, action), MAY[role].includes(action), `${role} ${MAY[role].includes(action) ? 'may' : 'may not'} ${action}`);
    }
  }
});

t.test('the issue sentences, checked directly', async (t) => {
  t.ok(can('cashier', 'sale'));
  t.notOk(can('cashier', 'void'));
  t.notOk(can('cashier', 'refund'));
  t.ok(can('supervisor', 'void') && can('supervisor', 'refund') && can('supervisor', 'sale'));
  t.ok(can('finance', 'reports') && can('finance', 'settlement'));
  t.notOk(can('finance', 'sale'));
  t.ok(can('admin', 'users.manage') && can('admin', 'config.write'));
  t.notOk(can('admin', 'keys.manage'), 'configuration is not key handling');
  t.ok(can('technician', 'keys.manage') && can('technician', 'hardware.diag') && can('technician', 'software.update'));
  t.notOk(can('technician', 'users.manage'));
  t.notOk(can('technician', 'config.write'));
  t.notOk(can('nobody' as Role, 'sale'), 'unknown role may do nothing');
  t.notOk(can('admin', 'launch' as Action), 'unknown action is refused');
});
