-- Every node keeps the sessions it has checked in memory (lib/sessions/cache.ts). Whatever changes what a
-- session check answers (a session revoked, refreshed or deleted; a person changed or removed; a membership
-- added or removed; a team renamed) says so on the channel porter_sessions when its transaction commits,
-- whichever code wrote it: the payload is the person's id, or '*' (forget everything) for a change of many.
-- PostgreSQL delivers it to every node's LISTEN connection; PGlite to its one process.
-- TG_ARGV[0] names the column that holds the person's id in the statement's changed rows.
CREATE FUNCTION "porter_sessions_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT count(*) FROM changed_rows) > 500 THEN
    PERFORM pg_notify('porter_sessions', '*');
  ELSE
    EXECUTE format('SELECT pg_notify(''porter_sessions'', d.u::text) FROM (SELECT DISTINCT %I AS u FROM changed_rows) d', TG_ARGV[0]);
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE FUNCTION "porter_sessions_notify_all"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('porter_sessions', '*');
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "sessions_cache_update" AFTER UPDATE ON "sessions" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "porter_sessions_notify"('user_id');--> statement-breakpoint
CREATE TRIGGER "sessions_cache_delete" AFTER DELETE ON "sessions" REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "porter_sessions_notify"('user_id');--> statement-breakpoint
CREATE TRIGGER "memberships_cache_insert" AFTER INSERT ON "memberships" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "porter_sessions_notify"('user_id');--> statement-breakpoint
CREATE TRIGGER "memberships_cache_update" AFTER UPDATE ON "memberships" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "porter_sessions_notify"('user_id');--> statement-breakpoint
CREATE TRIGGER "memberships_cache_delete" AFTER DELETE ON "memberships" REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "porter_sessions_notify"('user_id');--> statement-breakpoint
CREATE TRIGGER "users_cache_update" AFTER UPDATE ON "users" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "porter_sessions_notify"('id');--> statement-breakpoint
CREATE TRIGGER "users_cache_delete" AFTER DELETE ON "users" REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "porter_sessions_notify"('id');--> statement-breakpoint
CREATE TRIGGER "teams_cache_update" AFTER UPDATE OR DELETE OR TRUNCATE ON "teams" FOR EACH STATEMENT EXECUTE FUNCTION "porter_sessions_notify_all"();--> statement-breakpoint
CREATE TRIGGER "sessions_cache_truncate" AFTER TRUNCATE ON "sessions" FOR EACH STATEMENT EXECUTE FUNCTION "porter_sessions_notify_all"();--> statement-breakpoint
CREATE TRIGGER "memberships_cache_truncate" AFTER TRUNCATE ON "memberships" FOR EACH STATEMENT EXECUTE FUNCTION "porter_sessions_notify_all"();--> statement-breakpoint
CREATE TRIGGER "users_cache_truncate" AFTER TRUNCATE ON "users" FOR EACH STATEMENT EXECUTE FUNCTION "porter_sessions_notify_all"();
