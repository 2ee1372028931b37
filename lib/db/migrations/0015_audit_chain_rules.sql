-- Every audit event porter writes is a link of its chain: a row without a hash is refused (NOT VALID:
-- rows from before the chain existed stay as they are, and verify counts them apart).
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_chained" CHECK ("hash" IS NOT NULL AND "seq" IS NOT NULL) NOT VALID;--> statement-breakpoint
-- A chain's head only moves forward: a head set back (to hide the newest events) or deleted is refused.
CREATE FUNCTION "audit_chain_heads_forward_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'audit_chain_heads only moves forward: DELETE is refused' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.seq < OLD.seq OR NEW.chain <> OLD.chain THEN
    RAISE EXCEPTION 'audit_chain_heads only moves forward: seq % to % is refused', OLD.seq, NEW.seq USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "audit_chain_heads_forward" BEFORE UPDATE OR DELETE ON "audit_chain_heads" FOR EACH ROW EXECUTE FUNCTION "audit_chain_heads_forward_only"();--> statement-breakpoint
CREATE TRIGGER "audit_chain_heads_no_truncate" BEFORE TRUNCATE ON "audit_chain_heads" FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_refuse_change"();
