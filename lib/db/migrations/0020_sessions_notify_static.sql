-- porter_sessions_notify (0019) named the person's column with EXECUTE format(...): dynamic SQL is parsed and
-- planned again on every call, and the trigger fires after every statement that writes a session, a
-- membership or a person. Measured on PGlite: a one-row update of users took 0.59-0.84 ms with it, 0.33 ms
-- with no trigger, 0.44 ms with this version. The columns are static here, so PL/pgSQL keeps its plans (a
-- trigger function is compiled for each table it is attached to, and only the branch for that table's
-- column runs). One statement reads the distinct people; more than 500 of them is one '*' as before.
CREATE OR REPLACE FUNCTION "porter_sessions_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  people uuid[];
BEGIN
  IF TG_ARGV[0] = 'id' THEN
    SELECT array_agg(DISTINCT id) INTO people FROM changed_rows;
  ELSE
    SELECT array_agg(DISTINCT user_id) INTO people FROM changed_rows;
  END IF;
  IF cardinality(people) > 500 THEN
    PERFORM pg_notify('porter_sessions', '*');
  ELSE
    PERFORM pg_notify('porter_sessions', u::text) FROM unnest(people) AS u;
  END IF;
  RETURN NULL;
END
$$;
