-- The six demo users of the Brooklyn Nine-Nine squad. Passwords are <username>99 (this is a demo and
-- the README lists them); the hashes are bcrypt cost 12, checked by tests/unit/seed-users.test.ts.
-- Run after bootstrap.sql, as a superuser connected to the app database. Safe to run again.
\set ON_ERROR_STOP on
SET ROLE app_owner;
INSERT INTO app.users (username, email, password_hash, role) VALUES
  ('jake', 'jake.peralta@99.precinct', '$2b$12$7S9QENUIiREfUZyexvvTku/2qngmDWVOyxZ1HLuh95Zl5ywi46IZ2', 'user'),
  ('amy', 'amy.santiago@99.precinct', '$2b$12$tpUwyGIYzN3zPBwSSOMcb.Uxp.nbu41gH6OiQ31zJbw6fOIMXC46u', 'user'),
  ('rosa', 'rosa.diaz@99.precinct', '$2b$12$NDlc90sx.N75ffUWEEHBwOvRbnRvs3e7UVzKz/oGKoyuMOEe4rgne', 'user'),
  ('terry', 'terry.jeffords@99.precinct', '$2b$12$Pn0n4nqQwn0mrCwgaNwhDe.RSUZxTY7L3XVUChEzTR0mxDCBKg99y', 'admin'),
  ('charles', 'charles.boyle@99.precinct', '$2b$12$U.M68EM/Lg6am0AAiyIb0OXcwR6V8epN2Ej2nCRU.pWkQDaY7SYVy', 'user'),
  ('gina', 'gina.linetti@99.precinct', '$2b$12$MYI8kuNIf7MCG7FU4Y5zM.vu5Zd3ZgQHatp5XM9jZd34c/75WT9Ze', 'admin')
ON CONFLICT (username) DO NOTHING;
RESET ROLE;
