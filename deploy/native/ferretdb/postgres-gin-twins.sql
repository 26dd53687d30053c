-- FerretDB 1.24 on PostgreSQL filters an equality on a field as `_jsonb->'field' @> value`, while the
-- indexes it creates for a collection (its unique `_id` index and every index the projectors ask for)
-- are btree indexes on `(_jsonb->'field')`. A btree cannot serve `@>`, so every lookup by `_id` would
-- scan the whole table (figures in docs/native-stack.md).
--
-- This gives each such btree index a GIN twin on the same first key (jsonb_path_ops serves `@>`), made
-- by an event trigger when FerretDB creates the btree (and dropped with it), and once here for indexes
-- made before the trigger.
-- The twins are built without GIN's pending list (fastupdate = off): with it, every insert goes to an
-- unsorted list that each lookup scans whole until vacuum merges it, so lookups slow down under a
-- steady stream of inserts.
-- FerretDB does not know about the twins: they live and die with its tables. Idempotent; run by
-- deploy/native/up.sh on every start against the `ferretdb` database.

set client_min_messages = warning;

create or replace function whatsapp_events_gin_twin(btree_index regclass) returns void
language plpgsql as $$
declare
  first_key text := pg_get_indexdef(btree_index, 1, true);
  owner_table regclass;
  owner_schema name;
  index_name name;
begin
  -- Only btree indexes of FerretDB's tables whose first key is one top-level field of the document.
  if (select amname from pg_class c join pg_am a on a.oid = c.relam where c.oid = btree_index) <> 'btree'
     or first_key !~ '^\(_jsonb -> ''[^'']+''::text\)$' then
    return;
  end if;
  select indrelid::regclass, n.nspname, left(c.relname, 59) || '_gin'
    into owner_table, owner_schema, index_name
    from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
   where i.indexrelid = btree_index;
  if owner_table::text like '%\_ferretdb\_database\_metadata' then
    return;
  end if;
  execute format('create index if not exists %I on %s using gin (%s jsonb_path_ops) with (fastupdate = off)',
                 index_name, owner_table, first_key);
  -- Twins made before fastupdate was turned off.
  execute format('alter index %I.%I set (fastupdate = off)', owner_schema, index_name);
end
$$;

create or replace function whatsapp_events_twin_new_indexes() returns event_trigger
language plpgsql as $$
declare
  created record;
begin
  for created in
    select objid from pg_event_trigger_ddl_commands()
     where command_tag = 'CREATE INDEX' and object_type = 'index'
  loop
    perform whatsapp_events_gin_twin(created.objid::regclass);
  end loop;
end
$$;

drop event trigger if exists whatsapp_events_gin_twins;
create event trigger whatsapp_events_gin_twins on ddl_command_end
  when tag in ('CREATE INDEX')
  execute function whatsapp_events_twin_new_indexes();

-- A twin goes when its btree goes (dropIndex), so no orphan slows the writes.
create or replace function whatsapp_events_drop_twins() returns event_trigger
language plpgsql as $$
declare
  dropped record;
begin
  for dropped in
    select schema_name, object_name from pg_event_trigger_dropped_objects()
     where object_type = 'index' and object_name not like '%\_gin'
  loop
    execute format('drop index if exists %I.%I', dropped.schema_name, left(dropped.object_name, 59) || '_gin');
  end loop;
end
$$;

drop event trigger if exists whatsapp_events_drop_gin_twins;
create event trigger whatsapp_events_drop_gin_twins on sql_drop
  when tag in ('DROP INDEX')
  execute function whatsapp_events_drop_twins();

-- Indexes FerretDB made before the trigger existed.
do $$
declare
  existing record;
begin
  for existing in
    select i.indexrelid
      from pg_index i
      join pg_class t on t.oid = i.indrelid
      join pg_namespace n on n.oid = t.relnamespace
     where n.nspname not in ('pg_catalog', 'information_schema', 'public')
       and n.nspname not like 'pg\_%'
  loop
    perform whatsapp_events_gin_twin(existing.indexrelid::regclass);
  end loop;
end
$$;
