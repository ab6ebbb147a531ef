/* store: see store.h */
#include "store.h"
#include "statedir.h"
#include "event.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define DB_NAME "qerrors.db"
#define LOCK_NAME "qerrors.lock"
#define BUSY_TIMEOUT_MS 5000
/* Page cache of a writer, in KiB (SQLite's negative cache_size), and how
 * much of the file is read through mmap: none, since every mapped page
 * touched counts as resident memory and the agent's is bounded (at 100k
 * groups a 256 MiB map took the peak RSS from 38 to 73 MiB for 10% less
 * system time). */
#ifndef STORE_CACHE_KIB
#define STORE_CACHE_KIB -4096
#endif
/* Pages the write-ahead log may take before a commit copies them into
 * the database (SQLite's default is 1000, 4 MiB), and the size it is
 * cut back to then.  A catch-up of new errors commits about 1000 pages
 * at a time, so with the default every commit was copied, with two
 * fsyncs, and the random pages of the fingerprint index with it each
 * time: at 100k new groups 65 fsyncs are 26 now, 76,000 writes 68,000
 * and 26,000 reads 19,000.  The log's index in shared memory takes
 * 32 KiB per 4096 pages. */
#ifndef STORE_WAL_PAGES
#define STORE_WAL_PAGES 4000
#endif
#define STORE_WAL_KEEP_BYTES 4194304
#ifndef STORE_MMAP_BYTES
#define STORE_MMAP_BYTES 0
#endif
#define HOUR_MS 3600000LL
/* 'qerr': marks the file as ours, so a foreign database is refused. */
#define APPLICATION_ID 0x71657272
/* Longest state directory accepted; leaves room for the file names. */
#define DIR_MAX (PATH_MAX - 32)

/*
 * Schema migrations.  migrations[i] takes the schema from version i to
 * i + 1; user_version holds the current version.  A new release appends
 * a step and never edits an old one, so every older database upgrades
 * by running the steps it has not seen, in one transaction.
 */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE groups ("
    " fingerprint TEXT PRIMARY KEY NOT NULL,"
    " kind TEXT NOT NULL,"
    " type TEXT,"
    " template TEXT NOT NULL,"
    " message TEXT NOT NULL,"
    " severity TEXT NOT NULL,"
    " sample TEXT,"
    " first_seen INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL,"
    " count INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX groups_last_seen ON groups(last_seen);"
    "CREATE TABLE occurrences ("
    " fingerprint TEXT NOT NULL REFERENCES groups(fingerprint) ON DELETE CASCADE,"
    " hour INTEGER NOT NULL,"
    " count INTEGER NOT NULL,"
    " PRIMARY KEY (fingerprint, hour)) WITHOUT ROWID;"
    "CREATE INDEX occurrences_hour ON occurrences(hour);"
    "CREATE TABLE advice ("
    " fingerprint TEXT NOT NULL,"
    " model TEXT NOT NULL,"
    " prompt_version INTEGER NOT NULL,"
    " json TEXT NOT NULL,"
    " created INTEGER NOT NULL,"
    " expires INTEGER NOT NULL DEFAULT 0,"
    " last_used INTEGER NOT NULL,"
    " hits INTEGER NOT NULL DEFAULT 0,"
    " tokens_prompt INTEGER NOT NULL DEFAULT 0,"
    " tokens_completion INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (fingerprint, model, prompt_version));"
    "CREATE INDEX advice_last_used ON advice(last_used);"
    "CREATE TABLE offsets ("
    " path TEXT PRIMARY KEY NOT NULL,"
    " dev INTEGER NOT NULL,"
    " ino INTEGER NOT NULL,"
    " head_hash INTEGER NOT NULL,"
    " head_len INTEGER NOT NULL,"
    " offset INTEGER NOT NULL,"
    " size INTEGER NOT NULL,"
    " updated INTEGER NOT NULL);"
    "CREATE TABLE counters (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);"
    "CREATE TABLE kv (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);"
    "PRAGMA application_id = 1902473842;",
    /* 1 -> 2: where a group's sample came from, and the last failed
     * attempt to get advice per fingerprint */
    "ALTER TABLE groups ADD COLUMN source TEXT;"
    "CREATE TABLE advice_failures ("
    " fingerprint TEXT PRIMARY KEY NOT NULL,"
    " model TEXT NOT NULL,"
    " status TEXT NOT NULL,"
    " message TEXT NOT NULL,"
    " at INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 1);",
    /* 2 -> 3: positions keyed by file identity, not by path, so that a
     * rotated file keeps its own (its path names the new file) */
    "CREATE TABLE positions ("
    " dev INTEGER NOT NULL,"
    " ino INTEGER NOT NULL,"
    " head_hash INTEGER NOT NULL,"
    " head_len INTEGER NOT NULL,"
    " path TEXT NOT NULL,"
    " offset INTEGER NOT NULL,"
    " size INTEGER NOT NULL,"
    " rotated INTEGER NOT NULL DEFAULT 0,"
    " updated INTEGER NOT NULL,"
    " PRIMARY KEY (dev, ino));"
    "INSERT OR REPLACE INTO positions"
    " (dev, ino, head_hash, head_len, path, offset, size, rotated, updated)"
    " SELECT dev, ino, head_hash, head_len, path, offset, size, 0, updated"
    " FROM offsets ORDER BY updated;"
    "DROP TABLE offsets;"
    "ALTER TABLE positions RENAME TO offsets;"
    "CREATE INDEX offsets_path ON offsets(path, updated);",
    /* 3 -> 4: every place a group was seen, not only the first, so that
     * reports can name the pods of an error seen in several; the most
     * recent QE_STORE_GROUP_SOURCES_MAX per group are kept */
    "CREATE TABLE group_sources ("
    " fingerprint TEXT NOT NULL REFERENCES groups(fingerprint) ON DELETE CASCADE,"
    " source TEXT NOT NULL,"
    " first_seen INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL,"
    " count INTEGER NOT NULL,"
    " PRIMARY KEY (fingerprint, source)) WITHOUT ROWID;"
    "INSERT INTO group_sources (fingerprint, source, first_seen, last_seen, count)"
    " SELECT fingerprint, source, first_seen, last_seen, count FROM groups"
    " WHERE source IS NOT NULL AND source != '';",
    /* 4 -> 5: journal cursors, the journal's file positions */
    "CREATE TABLE journal_cursors ("
    " source TEXT PRIMARY KEY NOT NULL,"
    " cursor TEXT NOT NULL,"
    " entries INTEGER NOT NULL DEFAULT 0,"
    " last_entry INTEGER NOT NULL DEFAULT 0,"
    " updated INTEGER NOT NULL);",
    /* 5 -> 6: how each file was decoded (format auto chose, for stats) */
    "ALTER TABLE offsets ADD COLUMN format TEXT;",
    /* 6 -> 7: occurrences and sources keyed by an integer id of their
     * group, handed out in the order groups are made, so that a new
     * group's rows go at the end of their trees instead of on a random
     * page of trees keyed by fingerprint (new ids: next_group_id()).
     * Old groups keep their order; rows of no group are not carried
     * over. */
    "ALTER TABLE groups RENAME TO groups_v6;"
    "ALTER TABLE occurrences RENAME TO occurrences_v6;"
    "ALTER TABLE group_sources RENAME TO group_sources_v6;"
    "DROP INDEX groups_last_seen;"
    "DROP INDEX occurrences_hour;"
    "CREATE TABLE groups ("
    " id INTEGER PRIMARY KEY,"
    " fingerprint TEXT NOT NULL UNIQUE,"
    " kind TEXT NOT NULL,"
    " type TEXT,"
    " template TEXT NOT NULL,"
    " message TEXT NOT NULL,"
    " severity TEXT NOT NULL,"
    " sample TEXT,"
    " first_seen INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL,"
    " count INTEGER NOT NULL DEFAULT 0,"
    " source TEXT);"
    "INSERT INTO groups (fingerprint, kind, type, template, message, severity,"
    " sample, first_seen, last_seen, count, source)"
    " SELECT fingerprint, kind, type, template, message, severity, sample,"
    " first_seen, last_seen, count, source FROM groups_v6 ORDER BY rowid;"
    "CREATE TABLE occurrences ("
    " group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
    " hour INTEGER NOT NULL,"
    " count INTEGER NOT NULL,"
    " PRIMARY KEY (group_id, hour)) WITHOUT ROWID;"
    "INSERT INTO occurrences (group_id, hour, count)"
    " SELECT g.id, o.hour, o.count FROM occurrences_v6 o"
    " JOIN groups g ON g.fingerprint = o.fingerprint ORDER BY 1, 2;"
    "CREATE TABLE group_sources ("
    " group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
    " source TEXT NOT NULL,"
    " first_seen INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL,"
    " count INTEGER NOT NULL,"
    " PRIMARY KEY (group_id, source)) WITHOUT ROWID;"
    "INSERT INTO group_sources (group_id, source, first_seen, last_seen, count)"
    " SELECT g.id, o.source, o.first_seen, o.last_seen, o.count"
    " FROM group_sources_v6 o JOIN groups g ON g.fingerprint = o.fingerprint"
    " ORDER BY 1, 2;"
    "DROP TABLE occurrences_v6;"
    "DROP TABLE group_sources_v6;"
    "DROP TABLE groups_v6;"
    "CREATE INDEX groups_last_seen ON groups(last_seen);"
    "CREATE INDEX occurrences_hour ON occurrences(hour);",
};

#define SCHEMA_VERSION ((int)QE_ARRAY_SIZE(migrations))

/*
 * What the steps above leave behind, made at once for a new database:
 * the steps' renames and copies cost a new state directory about 3 ms.
 * A new step changes this too; test_fresh_schema checks that the two
 * agree.
 */
static const char fresh_schema[] =
    "CREATE TABLE groups ("
    " id INTEGER PRIMARY KEY,"
    " fingerprint TEXT NOT NULL UNIQUE,"
    " kind TEXT NOT NULL,"
    " type TEXT,"
    " template TEXT NOT NULL,"
    " message TEXT NOT NULL,"
    " severity TEXT NOT NULL,"
    " sample TEXT,"
    " first_seen INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL,"
    " count INTEGER NOT NULL DEFAULT 0,"
    " source TEXT);"
    "CREATE INDEX groups_last_seen ON groups(last_seen);"
    "CREATE TABLE occurrences ("
    " group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
    " hour INTEGER NOT NULL,"
    " count INTEGER NOT NULL,"
    " PRIMARY KEY (group_id, hour)) WITHOUT ROWID;"
    "CREATE INDEX occurrences_hour ON occurrences(hour);"
    "CREATE TABLE group_sources ("
    " group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
    " source TEXT NOT NULL,"
    " first_seen INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL,"
    " count INTEGER NOT NULL,"
    " PRIMARY KEY (group_id, source)) WITHOUT ROWID;"
    "CREATE TABLE advice ("
    " fingerprint TEXT NOT NULL,"
    " model TEXT NOT NULL,"
    " prompt_version INTEGER NOT NULL,"
    " json TEXT NOT NULL,"
    " created INTEGER NOT NULL,"
    " expires INTEGER NOT NULL DEFAULT 0,"
    " last_used INTEGER NOT NULL,"
    " hits INTEGER NOT NULL DEFAULT 0,"
    " tokens_prompt INTEGER NOT NULL DEFAULT 0,"
    " tokens_completion INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (fingerprint, model, prompt_version));"
    "CREATE INDEX advice_last_used ON advice(last_used);"
    "CREATE TABLE advice_failures ("
    " fingerprint TEXT PRIMARY KEY NOT NULL,"
    " model TEXT NOT NULL,"
    " status TEXT NOT NULL,"
    " message TEXT NOT NULL,"
    " at INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 1);"
    "CREATE TABLE offsets ("
    " dev INTEGER NOT NULL,"
    " ino INTEGER NOT NULL,"
    " head_hash INTEGER NOT NULL,"
    " head_len INTEGER NOT NULL,"
    " path TEXT NOT NULL,"
    " offset INTEGER NOT NULL,"
    " size INTEGER NOT NULL,"
    " rotated INTEGER NOT NULL DEFAULT 0,"
    " updated INTEGER NOT NULL,"
    " format TEXT,"
    " PRIMARY KEY (dev, ino));"
    "CREATE INDEX offsets_path ON offsets(path, updated);"
    "CREATE TABLE journal_cursors ("
    " source TEXT PRIMARY KEY NOT NULL,"
    " cursor TEXT NOT NULL,"
    " entries INTEGER NOT NULL DEFAULT 0,"
    " last_entry INTEGER NOT NULL DEFAULT 0,"
    " updated INTEGER NOT NULL);"
    "CREATE TABLE counters (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);"
    "CREATE TABLE kv (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);"
    "PRAGMA application_id = 1902473842;";

#define GROUP_COLS                                                                       \
	"g.fingerprint, g.kind, g.type, g.template, g.message, g.severity, g.sample, "   \
	"g.first_seen, g.last_seen, g.count, g.source"
#define ADVICE_COLS                                                                      \
	"fingerprint, model, prompt_version, json, created, expires, last_used, hits, "  \
	"tokens_prompt, tokens_completion"
#define OFFSET_COLS                                                                      \
	"path, dev, ino, head_hash, head_len, offset, size, updated, rotated, format"
#define JCURSOR_COLS "source, cursor, entries, last_entry, updated"

/* Every statement the store runs more than once, prepared on first use. */
enum st {
	ST_BEGIN_WRITE,
	ST_BEGIN_READ,
	ST_COMMIT,
	ST_GROUP_ID,
	ST_GROUP_BUMP,
	ST_GROUP_INSERT,
	ST_GROUP_NEXT_ID,
	ST_OCC_BUMP,
	ST_SOURCE_BUMP,
	ST_SOURCE_INSERT,
	ST_SOURCE_TRIM,
	ST_GROUP_GET,
	ST_GROUPS,
	ST_COUNT_BETWEEN,
	ST_ADVICE_GET,
	ST_ADVICE_TOUCH,
	ST_ADVICE_PUT,
	ST_ADVICE_EVICT,
	ST_CACHE_LIST,
	ST_CACHE_GET_ANY,
	ST_CACHE_CLEAR_ONE,
	ST_CACHE_CLEAR_ALL,
	ST_CACHE_PRUNE,
	ST_CACHE_COUNT,
	ST_COUNTER_ADD,
	ST_COUNTER_GET,
	ST_COUNTERS,
	ST_OFFSET_GET,
	ST_OFFSET_FIND,
	ST_OFFSET_PUT,
	ST_OFFSET_DELETE,
	ST_OFFSET_FORGET,
	ST_OFFSETS,
	ST_JCURSOR_GET,
	ST_JCURSOR_PUT,
	ST_JCURSORS,
	ST_KV_GET,
	ST_KV_PUT,
	ST_KV_DELETE,
	ST_TEMPLATE_PUT,
	ST_TEMPLATE_DELETE,
	ST__NR
};

static const char *const sql_text[ST__NR] = {
    [ST_BEGIN_WRITE] = "BEGIN IMMEDIATE",
    [ST_BEGIN_READ] = "BEGIN",
    [ST_COMMIT] = "COMMIT",
    [ST_GROUP_ID] = "SELECT id FROM groups WHERE fingerprint = ?1",
    /* ?1 the group's id; ?5: a group from before sources were stored
     * gets one */
    [ST_GROUP_BUMP] = "UPDATE groups SET count = count + ?3,"
		      " last_seen = max(last_seen, ?2), first_seen = min(first_seen, ?4),"
		      " source = coalesce(source, ?5)"
		      " WHERE id = ?1",
    [ST_GROUP_INSERT] = "INSERT INTO groups (fingerprint, kind, type, template, message,"
			" severity, sample, first_seen, last_seen, count, source, id)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?10, ?8, ?9, ?11, ?12)"
			" ON CONFLICT (fingerprint) DO NOTHING",
    /* past every id in use, also by rows a group deleted with foreign
     * keys off left behind, so that they cannot join a new group */
    [ST_GROUP_NEXT_ID] = "SELECT max(coalesce((SELECT max(id) FROM groups), 0),"
			 " coalesce((SELECT max(group_id) FROM occurrences), 0),"
			 " coalesce((SELECT max(group_id) FROM group_sources), 0)) + 1",
    [ST_OCC_BUMP] = "INSERT INTO occurrences (group_id, hour, count) VALUES (?1, ?2, ?3)"
		    " ON CONFLICT (group_id, hour) DO UPDATE SET count = count + ?3",
    /* ?1 group id, ?2 now, ?3 count, ?4 first, ?5 source */
    [ST_SOURCE_BUMP] = "UPDATE group_sources SET count = count + ?3,"
		       " last_seen = max(last_seen, ?2), first_seen = min(first_seen, ?4)"
		       " WHERE group_id = ?1 AND source = ?5",
    /* an upsert: a group made in this transaction writes its sources
     * without looking first, and an old row left behind is counted on */
    [ST_SOURCE_INSERT] = "INSERT INTO group_sources"
			 " (group_id, source, first_seen, last_seen, count)"
			 " VALUES (?1, ?5, ?4, ?2, ?3)"
			 " ON CONFLICT (group_id, source) DO UPDATE SET"
			 " count = count + ?3, last_seen = max(last_seen, ?2),"
			 " first_seen = min(first_seen, ?4)",
    /* keep the ?2 most recently seen sources of group ?1 */
    [ST_SOURCE_TRIM] = "DELETE FROM group_sources WHERE group_id = ?1 AND source IN"
		       " (SELECT source FROM group_sources WHERE group_id = ?1"
		       " ORDER BY last_seen DESC, source LIMIT -1 OFFSET ?2)",
    [ST_GROUP_GET] = "SELECT " GROUP_COLS " FROM groups g WHERE g.fingerprint = ?1",
    /* ?1 since, ?2 first hour bucket, ?3 until, ?4 skip groups without
     * occurrences in the window. */
    [ST_GROUPS] = "SELECT " GROUP_COLS ", coalesce(w.n, 0) AS n FROM groups g"
		  " LEFT JOIN (SELECT group_id, sum(count) AS n FROM occurrences"
		  " WHERE hour >= ?2 AND hour < ?3 GROUP BY group_id) w"
		  " ON w.group_id = g.id"
		  " WHERE g.last_seen >= ?1 AND (?4 = 0 OR w.n > 0)"
		  " ORDER BY n DESC, g.count DESC, g.fingerprint",
    [ST_COUNT_BETWEEN] = "SELECT coalesce(sum(o.count), 0) FROM groups g"
			 " JOIN occurrences o ON o.group_id = g.id"
			 " WHERE g.fingerprint = ?1 AND o.hour >= ?2 AND o.hour < ?3",
    [ST_ADVICE_GET] = "SELECT json, expires FROM advice"
		      " WHERE fingerprint = ?1 AND model = ?2 AND prompt_version = ?3",
    [ST_ADVICE_TOUCH] =
	"UPDATE advice SET hits = hits + 1, last_used = max(last_used, ?4)"
	" WHERE fingerprint = ?1 AND model = ?2 AND prompt_version = ?3",
    [ST_ADVICE_PUT] =
	"INSERT INTO advice (" ADVICE_COLS ")"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5, 0, ?7, ?8)"
	" ON CONFLICT (fingerprint, model, prompt_version) DO UPDATE SET"
	" json = excluded.json, created = excluded.created,"
	" expires = excluded.expires, last_used = excluded.last_used, hits = 0,"
	" tokens_prompt = excluded.tokens_prompt,"
	" tokens_completion = excluded.tokens_completion",
    /* Keep the ?1 most valuable entries: the one just stored, then live
     * entries by recency; expired entries go before any live one. */
    [ST_ADVICE_EVICT] =
	"DELETE FROM advice WHERE rowid IN (SELECT rowid FROM advice ORDER BY"
	" (fingerprint = ?3 AND model = ?4 AND prompt_version = ?5) DESC,"
	" (expires != 0 AND expires <= ?2) ASC, last_used DESC, created DESC"
	" LIMIT -1 OFFSET ?1)",
    [ST_CACHE_LIST] = "SELECT " ADVICE_COLS " FROM advice"
		      " ORDER BY last_used DESC, fingerprint, model, prompt_version",
    [ST_CACHE_GET_ANY] = "SELECT " ADVICE_COLS " FROM advice WHERE fingerprint = ?1"
			 " ORDER BY created DESC, prompt_version DESC, model LIMIT 1",
    [ST_CACHE_CLEAR_ONE] = "DELETE FROM advice WHERE fingerprint = ?1",
    [ST_CACHE_CLEAR_ALL] = "DELETE FROM advice",
    [ST_CACHE_PRUNE] = "DELETE FROM advice WHERE expires != 0 AND expires <= ?1",
    [ST_CACHE_COUNT] = "SELECT count(*) FROM advice",
    [ST_COUNTER_ADD] = "INSERT INTO counters (name, value) VALUES (?1, ?2)"
		       " ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
    [ST_COUNTER_GET] = "SELECT value FROM counters WHERE name = ?1",
    [ST_COUNTERS] = "SELECT name, value FROM counters ORDER BY name",
    [ST_OFFSET_GET] = "SELECT " OFFSET_COLS " FROM offsets WHERE path = ?1"
		      " ORDER BY rotated, updated DESC LIMIT 1",
    [ST_OFFSET_FIND] = "SELECT " OFFSET_COLS " FROM offsets"
		       " WHERE (dev = ?1 AND ino = ?2) OR path = ?3"
		       " ORDER BY (dev = ?1 AND ino = ?2) DESC, rowid DESC"
		       " LIMIT 16", /* the current file and recent rotations,
				     * newest first: a file's row is made when
				     * it is first seen, after the older ones */
    [ST_OFFSET_PUT] = "INSERT INTO offsets (" OFFSET_COLS ")"
		      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
		      " ON CONFLICT (dev, ino) DO UPDATE SET path = excluded.path,"
		      " head_hash = excluded.head_hash,"
		      " head_len = excluded.head_len, offset = excluded.offset,"
		      " size = excluded.size, updated = excluded.updated,"
		      " rotated = excluded.rotated,"
		      " format = coalesce(excluded.format, format)",
    [ST_OFFSET_DELETE] = "DELETE FROM offsets WHERE path = ?1",
    [ST_OFFSET_FORGET] = "DELETE FROM offsets WHERE dev = ?1 AND ino = ?2",
    [ST_OFFSETS] = "SELECT " OFFSET_COLS " FROM offsets o WHERE rotated = 0"
		   " AND NOT EXISTS (SELECT 1 FROM offsets n WHERE n.path = o.path"
		   " AND n.rotated = 0 AND (n.updated > o.updated OR (n.updated ="
		   " o.updated AND n.rowid > o.rowid))) ORDER BY path",
    [ST_JCURSOR_GET] = "SELECT " JCURSOR_COLS " FROM journal_cursors WHERE source = ?1",
    [ST_JCURSOR_PUT] = "INSERT INTO journal_cursors (" JCURSOR_COLS ")"
		       " VALUES (?1, ?2, ?3, ?4, ?5)"
		       " ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor,"
		       " entries = excluded.entries, last_entry = excluded.last_entry,"
		       " updated = excluded.updated",
    [ST_JCURSORS] = "SELECT " JCURSOR_COLS " FROM journal_cursors ORDER BY source",
    [ST_KV_GET] = "SELECT value FROM kv WHERE key = ?1",
    [ST_KV_PUT] = "INSERT INTO kv (key, value) VALUES (?1, ?2)"
		  " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [ST_KV_DELETE] = "DELETE FROM kv WHERE key = ?1",
    [ST_TEMPLATE_PUT] = "INSERT OR REPLACE INTO templates (id, type, template, count,"
			" first_seen) VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_TEMPLATE_DELETE] = "DELETE FROM templates WHERE id = ?1",
};

/*
 * Counter deltas of the open transaction not written yet.  Every new
 * error bumps one (cache_misses), and an upsert costs about as much as
 * the writes of the group itself: they go in just before the commit or
 * a read of the counters, and go with the transaction when it is rolled
 * back.
 */
#define PENDING_MAX 8
struct pending_counter {
	char name[40];
	long long delta;
};

struct qe_store {
	sqlite3 *db;
	char *dir, *path;
	int readonly;
	int have_templates; /* the templates table is known to exist */
	sqlite3_stmt *stmt[ST__NR];
	struct pending_counter pending[PENDING_MAX];
	size_t npending;
	int64_t next_gid; /* the id of the next new group; 0 = look it up */
};

/* uint64 values are kept as the int64 with the same bits: SQLite
 * integers are signed 64-bit. */
static int64_t u2i(uint64_t u)
{
	int64_t i;
	memcpy(&i, &u, sizeof(i));
	return i;
}

static uint64_t i2u(int64_t i)
{
	uint64_t u;
	memcpy(&u, &i, sizeof(u));
	return u;
}

/* Turn the connection's last error into a message that names the file
 * and, for the failures a user can fix, says what is wrong. */
static int db_error(const struct qe_store *s, const char *what)
{
	int ext = sqlite3_extended_errcode(s->db);
	int rc = ext & 0xff;
	int sys = sqlite3_system_errno(s->db);

	if (rc == SQLITE_FULL || (rc == SQLITE_IOERR && sys == ENOSPC))
		return qe_error("cannot write state database '%s': disk full", s->path);
	if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
		return qe_error("state database '%s' is corrupt or not a database "
				"(move it aside to start a new one)",
				s->path);
	if (rc == SQLITE_READONLY) {
		if (s->readonly)
			return qe_error(
			    "cannot write state database '%s': opened read-only",
			    s->path);
		return qe_error("cannot write state database '%s': file or directory is "
				"read-only",
				s->path);
	}
	if (rc == SQLITE_IOERR && sys == EDQUOT)
		return qe_error("cannot write state database '%s': disk quota exceeded",
				s->path);
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return qe_error("state database '%s' is locked by another process",
				s->path);
	if ((rc == SQLITE_CANTOPEN || rc == SQLITE_IOERR || rc == SQLITE_PERM) && sys)
		return qe_error("%s state database '%s': %s", what, s->path,
				strerror(sys));
	return qe_error("%s state database '%s': %s", what, s->path,
			sqlite3_errmsg(s->db));
}

/* Step st to its end, calling row() per row until it returns non-zero;
 * 0, or -1 with the error recorded.  The caller resets or finalizes st. */
static int each_row(struct qe_store *s, sqlite3_stmt *st,
		    int (*row)(sqlite3_stmt *st, void *data), void *data)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (row(st, data))
			return 0;
	if (rc != SQLITE_DONE)
		return db_error(s, "cannot read");
	return 0;
}

/* A caller's per-item callback and its data, for the row adapters below. */
struct iter {
	union {
		qe_group_fn group;
		qe_cache_fn entry;
		qe_counter_fn counter;
		qe_offset_fn offset;
		qe_jcursor_fn jcursor;
	} fn;
	void *data;
};

/*
 * Cached statements.  A statement still being stepped (a callback of an
 * iteration calling back into the store) is not disturbed: the nested
 * call gets a fresh statement that stmt_put() finalizes.
 */
static sqlite3_stmt *stmt_get(struct qe_store *s, enum st id)
{
	sqlite3_stmt *st = s->stmt[id];
	unsigned flags = SQLITE_PREPARE_PERSISTENT;

	if (st && !sqlite3_stmt_busy(st))
		return st;
	if (st)
		flags = 0;
	if (sqlite3_prepare_v3(s->db, sql_text[id], -1, flags, &st, NULL) != SQLITE_OK) {
		db_error(s, "cannot query");
		return NULL;
	}
	if (!s->stmt[id])
		s->stmt[id] = st;
	return st;
}

static void stmt_put(struct qe_store *s, enum st id, sqlite3_stmt *st)
{
	if (!st)
		return;
	if (st != s->stmt[id]) {
		sqlite3_finalize(st);
		return;
	}
	/* Resetting ends the statement's read of the database, so an idle
	 * connection never pins an old WAL snapshot. */
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);
	return v ? qe_xstrdup((const char *)v) : NULL;
}

/* Step a statement that returns no rows; 0 or -1. */
static int step_done(struct qe_store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	return db_error(s, what);
}

/* Look up one row by a text key: 1 found (row ready), 0 none, -1 error. */
static int step_lookup(struct qe_store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_error(s, "cannot read");
}

static int exec_sql(struct qe_store *s, const char *sql, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(s, what);
	return 0;
}

/* A single-integer query, for pragmas; -1 on error. */
static int query_int(struct qe_store *s, const char *sql, long long *out)
{
	sqlite3_stmt *st = NULL;
	int rc, ret = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_error(s, "cannot read");
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		*out = 0;
	else {
		db_error(s, "cannot read");
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/* The database and its -wal/-shm hold log text: owner only. */
static void tighten(const char *path, int fd)
{
	struct stat st;
	int r = fd >= 0 ? fstat(fd, &st) : stat(path, &st);

	if (r < 0 || !(st.st_mode & 077) || st.st_uid != geteuid())
		return;
	r = fd >= 0 ? fchmod(fd, 0600) : chmod(path, 0600);
	if (r < 0)
		qe_warning("cannot restrict permissions of '%s': %s", path,
			   strerror(errno));
	else
		qe_warning("restricted permissions of '%s' to 0600", path);
}

/* Create the database file with mode 0600 before SQLite sees it, so it
 * never exists with the umask's looser mode. */
static int prepare_file(struct qe_store *s)
{
	struct stat st;
	char *side;
	int fd;

	if (access(s->dir, W_OK) < 0)
		return qe_error("cannot write state database '%s': directory '%s' is not "
				"writable (%s)",
				s->path, s->dir, strerror(errno));
	fd = open(s->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return qe_error("cannot create state database '%s': %s", s->path,
				strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return qe_error("state database '%s' is not a regular file", s->path);
	}
	tighten(s->path, fd);
	close(fd);
	side = qe_xasprintf("%s-wal", s->path);
	tighten(side, -1);
	free(side);
	side = qe_xasprintf("%s-shm", s->path);
	tighten(side, -1);
	free(side);
	return 0;
}

/* Refuse a file that is not ours before changing anything in it (such
 * as its journal mode).  This is also the first read of the file, where
 * a corrupt one shows. */
static int check_identity(struct qe_store *s)
{
	long long version, app_id, tables;

	if (query_int(s, "PRAGMA user_version", &version) < 0 ||
	    query_int(s, "PRAGMA application_id", &app_id) < 0)
		return -1;
	if (version == 0 && app_id == 0) {
		if (query_int(s, "SELECT count(*) FROM sqlite_master", &tables) < 0)
			return -1;
		if (tables)
			return qe_error("'%s' is not a qerrors state database", s->path);
	} else if (app_id != APPLICATION_ID) {
		return qe_error("'%s' is not a qerrors state database", s->path);
	}
	if (version > SCHEMA_VERSION)
		return qe_error(
		    "state database '%s' has schema version %lld, newer than this "
		    "qerrors understands (%d)",
		    s->path, version, SCHEMA_VERSION);
	return 0;
}

/* Bring the schema up to date (writer) or check it is usable (reader). */
static int migrate(struct qe_store *s)
{
	long long version;
	char *sql = NULL;
	int i, ret = -1;

	if (query_int(s, "PRAGMA user_version", &version) < 0)
		return -1;
	if (version >= SCHEMA_VERSION)
		return 0;
	if (s->readonly) {
		if (version == 0)
			return qe_error(
			    "no state database at '%s' (run 'qerrors tail' or "
			    "'qerrors analyze' first)",
			    s->path);
		return qe_error(
		    "state database '%s' has an old schema (version %lld); run "
		    "'qerrors tail' or 'qerrors analyze' once to upgrade it",
		    s->path, version);
	}

	if (exec_sql(s, "BEGIN IMMEDIATE", "cannot upgrade") < 0)
		return -1;
	/* Another process may have upgraded it while we waited. */
	if (query_int(s, "PRAGMA user_version", &version) < 0)
		goto out;
	if (version > SCHEMA_VERSION) {
		qe_error("state database '%s' has schema version %lld, newer than this "
			 "qerrors understands (%d)",
			 s->path, version, SCHEMA_VERSION);
		goto out;
	}
	if (version == 0 && exec_sql(s, fresh_schema, "cannot create") < 0)
		goto out;
	for (i = version ? (int)version : SCHEMA_VERSION; i < SCHEMA_VERSION; i++)
		if (exec_sql(s, migrations[i], "cannot upgrade") < 0)
			goto out;
	sql = qe_xasprintf("PRAGMA user_version = %d", SCHEMA_VERSION);
	if (exec_sql(s, sql, "cannot upgrade") < 0)
		goto out;
	if (exec_sql(s, "COMMIT", "cannot upgrade") < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0 && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	free(sql);
	return ret;
}

static int set_wal(struct qe_store *s)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *mode;
	int ret = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) !=
		SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		db_error(s, "cannot open");
		goto out;
	}
	mode = sqlite3_column_text(st, 0);
	/* Without WAL, readers would block the agent; still usable. */
	if (!mode || strcmp((const char *)mode, "wal"))
		qe_warning("state database '%s' cannot use WAL mode (journal mode '%s')",
			   s->path, mode ? (const char *)mode : "?");
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

static int writer_pragmas(struct qe_store *s)
{
	char *sql = qe_xasprintf("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
				 " PRAGMA wal_autocheckpoint = %d;"
				 " PRAGMA journal_size_limit = %lld;"
				 " PRAGMA cache_size = %d; PRAGMA mmap_size = %lld",
				 STORE_WAL_PAGES, (long long)STORE_WAL_KEEP_BYTES,
				 STORE_CACHE_KIB, (long long)STORE_MMAP_BYTES);
	int ret = exec_sql(s, sql, "cannot open");
	free(sql);
	return ret;
}

struct qe_store *qe_store_open(const char *state_dir, int flags)
{
	struct qe_store *s = qe_xcalloc(1, sizeof(*s));
	struct stat st;
	int oflags;

	/* SQLite's count of the memory it holds takes a global mutex on
	 * every allocation, thousands per commit; nothing reads it.  It can
	 * only be set before SQLite starts, so later calls fail, harmlessly. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	s->readonly = !!(flags & QE_STORE_READONLY);
	s->dir = state_dir ? qe_xstrdup(state_dir) : qe_statedir_default();
	if (!s->dir)
		goto fail;
	if (qe_statedir_prepare(s->dir, !s->readonly, !s->readonly) < 0) {
		if (!s->readonly)
			goto fail;
		s->path = qe_xasprintf("%s/%s", s->dir, DB_NAME);
		if (stat(s->dir, &st) < 0 && (errno == ENOENT || errno == ENOTDIR))
			qe_error(
			    "no state database at '%s' (run 'qerrors tail' or 'qerrors "
			    "analyze' first)",
			    s->path);
		goto fail;
	}
	s->path = qe_xasprintf("%s/%s", s->dir, DB_NAME);

	if (s->readonly) {
		if (stat(s->path, &st) < 0) {
			if (errno == ENOENT)
				qe_error(
				    "no state database at '%s' (run 'qerrors tail' or "
				    "'qerrors analyze' first)",
				    s->path);
			else
				qe_error("cannot open state database '%s': %s", s->path,
					 strerror(errno));
			goto fail;
		}
		oflags = SQLITE_OPEN_READONLY;
	} else {
		if (prepare_file(s) < 0)
			goto fail;
		oflags = SQLITE_OPEN_READWRITE;
	}

	/* A connection is used by one thread at a time (the store is not
	 * shared between threads), so it needs no mutex of its own: the
	 * agent takes and leaves it on every call, dozens per new group. */
	oflags |= SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(s->path, &s->db, oflags, NULL) != SQLITE_OK) {
		if (s->db)
			db_error(s, "cannot open");
		else
			qe_error("cannot open state database '%s': out of memory",
				 s->path);
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	if (check_identity(s) < 0)
		goto fail;

	if (!s->readonly) {
		/* The agent looks up and updates one group per new fingerprint:
		 * past the default 2 MiB page cache every lookup became reads.
		 * A larger cache keeps more of the index resident (bounded: it
		 * is resident memory). */
		if (set_wal(s) < 0 || writer_pragmas(s) < 0)
			goto fail;
	} else if (exec_sql(s, "PRAGMA foreign_keys = ON; PRAGMA query_only = ON",
			    "cannot open") < 0) {
		goto fail;
	}
	if (migrate(s) < 0)
		goto fail;
	return s;
fail:
	qe_store_close(s);
	return NULL;
}

void qe_store_close(struct qe_store *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < ST__NR; i++)
		sqlite3_finalize(s->stmt[i]);
	/* An open transaction is rolled back by the close. */
	if (s->db)
		sqlite3_close(s->db);
	free(s->dir);
	free(s->path);
	free(s);
}

const char *qe_store_path(const struct qe_store *s)
{
	return s->path;
}

const char *qe_store_dir(const struct qe_store *s)
{
	return s->dir;
}

struct sqlite3 *qe_store_sqlite(struct qe_store *s)
{
	return s->db;
}

static int counter_write(struct qe_store *s, const char *name, long long delta)
{
	sqlite3_stmt *st = stmt_get(s, ST_COUNTER_ADD);
	int ret;

	if (!st)
		return -1;
	bind_text(st, 1, name);
	sqlite3_bind_int64(st, 2, delta);
	ret = step_done(s, st, "cannot update");
	stmt_put(s, ST_COUNTER_ADD, st);
	return ret;
}

/* Write the pending counter deltas; they are gone either way. */
static int flush_counters(struct qe_store *s)
{
	size_t i, n = s->npending;

	s->npending = 0;
	for (i = 0; i < n; i++)
		if (counter_write(s, s->pending[i].name, s->pending[i].delta) < 0)
			return -1;
	return 0;
}

int qe_store_begin(struct qe_store *s)
{
	enum st id = s->readonly ? ST_BEGIN_READ : ST_BEGIN_WRITE;
	sqlite3_stmt *st;
	int ret;

	if (!sqlite3_get_autocommit(s->db))
		return qe_error("a transaction on state database '%s' is already open",
				s->path);
	s->npending = 0; /* of a transaction SQLite ended by itself */
	s->next_gid = 0; /* another process may have made groups */
	st = stmt_get(s, id);
	if (!st)
		return -1;
	ret = step_done(s, st, "cannot begin a transaction on");
	stmt_put(s, id, st);
	return ret;
}

/* Roll back without touching the recorded message: used on error paths. */
static void rollback_quiet(struct qe_store *s)
{
	s->npending = 0;
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int qe_store_commit(struct qe_store *s)
{
	sqlite3_stmt *st;
	int ret;

	if (sqlite3_get_autocommit(s->db)) {
		s->npending = 0;
		return qe_error("no transaction open on state database '%s'", s->path);
	}
	if (flush_counters(s) < 0) {
		rollback_quiet(s);
		return -1;
	}
	st = stmt_get(s, ST_COMMIT);
	if (!st) {
		rollback_quiet(s);
		return -1;
	}
	ret = step_done(s, st, "cannot commit to");
	stmt_put(s, ST_COMMIT, st);
	if (ret < 0)
		rollback_quiet(s);
	return ret;
}

int qe_store_in_transaction(struct qe_store *s)
{
	return s && !sqlite3_get_autocommit(s->db);
}

int qe_store_rollback(struct qe_store *s)
{
	s->npending = 0;
	/* SQLite may already have rolled back after an error such as a full
	 * disk; that is not an error for the caller. */
	if (sqlite3_get_autocommit(s->db))
		return 0;
	return exec_sql(s, "ROLLBACK", "cannot roll back");
}

/* Writes that take several statements run in a transaction of their own
 * unless the caller already has one open. */
static int auto_begin(struct qe_store *s, int *began)
{
	*began = 0;
	if (!sqlite3_get_autocommit(s->db))
		return 0;
	if (qe_store_begin(s) < 0)
		return -1;
	*began = 1;
	return 0;
}

static int auto_end(struct qe_store *s, int began, int ret)
{
	if (!began)
		return ret;
	if (ret < 0) {
		rollback_quiet(s);
		return ret;
	}
	return qe_store_commit(s);
}

static int64_t hour_floor(int64_t ms)
{
	int64_t r = ms % HOUR_MS;
	if (ms < INT64_MIN + HOUR_MS)
		return INT64_MIN;
	return ms - (r < 0 ? r + HOUR_MS : r);
}

int qe_store_record_event(struct qe_store *s, const struct qe_event *ev,
			  const char *sample, int64_t now_ms, int *is_new)
{
	return qe_store_record_events(s, ev, sample, now_ms, now_ms, 1, is_new);
}

int qe_store_record_events(struct qe_store *s, const struct qe_event *ev,
			   const char *sample, int64_t first_ms, int64_t now_ms,
			   long long count, int *is_new)
{
	return qe_store_record_events_from(s, ev, NULL, sample, first_ms, now_ms, count,
					   is_new);
}

int qe_store_record_events_from(struct qe_store *s, const struct qe_event *ev,
				const char *source, const char *sample, int64_t first_ms,
				int64_t now_ms, long long count, int *is_new)
{
	struct qe_store_rec r;
	memset(&r, 0, sizeof(r));
	r.ev = ev;
	r.source = source;
	r.sample = sample;
	r.first_ms = first_ms;
	r.now_ms = now_ms;
	r.count = count;
	if (qe_store_record_batch(s, &r, 1) < 0)
		return -1;
	if (is_new)
		*is_new = r.is_new;
	return 0;
}

/* What the entries of one fingerprint (and hour, or source) add up to. */
struct tally {
	const char *source;
	int64_t first, last;
	long long count;
};

static void tally_of(struct qe_store_rec *const *run, size_t n, struct tally *t)
{
	size_t i;
	t->source = NULL;
	t->first = run[0]->first_ms;
	t->last = run[0]->now_ms;
	t->count = 0;
	for (i = 0; i < n; i++) {
		t->first = run[i]->first_ms < t->first ? run[i]->first_ms : t->first;
		t->last = run[i]->now_ms > t->last ? run[i]->now_ms : t->last;
		t->count += run[i]->count;
		if (!t->source)
			t->source = run[i]->source; /* the first one known */
	}
}

/* Run one of the statements that share their parameters (?1 group id,
 * ?2 last, ?3 count, ?4 first, ?5 source): the rows it changed, or -1. */
static int run_tally(struct qe_store *s, enum st id, int64_t gid, const struct tally *t)
{
	sqlite3_stmt *st = stmt_get(s, id);
	int ret = -1;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, gid);
	sqlite3_bind_int64(st, 2, t->last);
	sqlite3_bind_int64(st, 3, t->count);
	sqlite3_bind_int64(st, 4, t->first);
	bind_text(st, 5, t->source);
	if (step_done(s, st, "cannot update") == 0)
		ret = sqlite3_changes(s->db);
	stmt_put(s, id, st);
	return ret;
}

/*
 * The id for the next new group, looked up once per transaction (the
 * write lock keeps other writers out until it ends) rather than kept by
 * AUTOINCREMENT, which costs a write of its counter row per group.
 */
static int next_group_id(struct qe_store *s)
{
	sqlite3_stmt *st;
	int ret;

	if (s->next_gid > 0 && !sqlite3_get_autocommit(s->db))
		return 0;
	st = stmt_get(s, ST_GROUP_NEXT_ID);
	if (!st)
		return -1;
	ret = step_lookup(s, st);
	if (ret == 1)
		s->next_gid = sqlite3_column_int64(st, 0);
	stmt_put(s, ST_GROUP_NEXT_ID, st);
	return ret == 1 ? 0 : -1;
}

/* Make the group of the entries run[0..n) from the first one, unless
 * its fingerprint has one: *fresh tells. */
static int insert_group(struct qe_store *s, struct qe_store_rec *const *run,
			const struct tally *t, int64_t *gid, int *fresh)
{
	const struct qe_event *ev = run[0]->ev;
	const char *message = ev->message ? ev->message : "";
	sqlite3_stmt *st;
	int ret;

	*fresh = 0;
	if (next_group_id(s) < 0)
		return -1;
	st = stmt_get(s, ST_GROUP_INSERT);
	if (!st)
		return -1;
	bind_text(st, 1, ev->fingerprint);
	bind_text(st, 2, ev->kind ? ev->kind : "line");
	bind_text(st, 3, ev->type);
	bind_text(st, 4, ev->template ? ev->template : message);
	bind_text(st, 5, message);
	bind_text(st, 6, qe_severity_name(ev->severity));
	bind_text(st, 7, run[0]->sample);
	sqlite3_bind_int64(st, 8, t->last);
	sqlite3_bind_int64(st, 9, t->count);
	sqlite3_bind_int64(st, 10, t->first);
	bind_text(st, 11, t->source);
	sqlite3_bind_int64(st, 12, s->next_gid);
	ret = step_done(s, st, "cannot update");
	stmt_put(s, ST_GROUP_INSERT, st);
	if (ret == 0 && sqlite3_changes(s->db) == 1) {
		*fresh = 1;
		*gid = s->next_gid++;
	}
	return ret;
}

/* The group row of the entries run[0..n) (one fingerprint, in order):
 * bumped, or made from the first entry; *gid is its id. */
static int write_group(struct qe_store *s, struct qe_store_rec *const *run, size_t n,
		       int64_t *gid, int *fresh)
{
	struct tally t;
	sqlite3_stmt *st;
	int ret;

	tally_of(run, n, &t);
	*fresh = 0;
	/* An entry with a sample is the first of a group its writer did not
	 * find (the agent looks when it first sees a fingerprint): try to
	 * make the group before looking it up, one lookup of the
	 * fingerprint fewer when the guess is right. */
	if (run[0]->sample && *run[0]->sample) {
		if (insert_group(s, run, &t, gid, fresh) < 0)
			return -1;
		if (*fresh)
			return 0;
	}
	st = stmt_get(s, ST_GROUP_ID);
	if (!st)
		return -1;
	bind_text(st, 1, run[0]->ev->fingerprint);
	ret = step_lookup(s, st);
	if (ret == 1)
		*gid = sqlite3_column_int64(st, 0);
	stmt_put(s, ST_GROUP_ID, st);
	if (ret < 0)
		return -1;
	if (ret == 1)
		return run_tally(s, ST_GROUP_BUMP, *gid, &t) < 0 ? -1 : 0;
	if (insert_group(s, run, &t, gid, fresh) < 0)
		return -1;
	return *fresh ? 0 : qe_error("cannot make group '%s'", run[0]->ev->fingerprint);
}

/* Ties keep the entries' order, so the first of a fingerprint stays first. */
static int by_order(const struct qe_store_rec *a, const struct qe_store_rec *b)
{
	return (a > b) - (a < b);
}

static int by_fingerprint(const void *pa, const void *pb)
{
	const struct qe_store_rec *a = *(const struct qe_store_rec *const *)pa;
	const struct qe_store_rec *b = *(const struct qe_store_rec *const *)pb;
	int c = strcmp(a->ev->fingerprint, b->ev->fingerprint);
	return c ? c : by_order(a, b);
}

static int by_hour(const void *pa, const void *pb)
{
	const struct qe_store_rec *a = *(const struct qe_store_rec *const *)pa;
	const struct qe_store_rec *b = *(const struct qe_store_rec *const *)pb;
	int64_t ha = hour_floor(a->now_ms), hb = hour_floor(b->now_ms);
	return ha != hb ? (ha > hb) - (ha < hb) : by_order(a, b);
}

static const char *source_key(const struct qe_store_rec *r)
{
	return r->source ? r->source : "";
}

static int by_source(const void *pa, const void *pb)
{
	const struct qe_store_rec *a = *(const struct qe_store_rec *const *)pa;
	const struct qe_store_rec *b = *(const struct qe_store_rec *const *)pb;
	int c = strcmp(source_key(a), source_key(b));
	return c ? c : by_order(a, b);
}

/* The hour buckets of one fingerprint's entries, in group gid; reorders
 * run. */
static int write_hours(struct qe_store *s, int64_t gid, struct qe_store_rec **run,
		       size_t n)
{
	size_t i, j;

	qsort(run, n, sizeof(*run), by_hour);
	for (i = 0; i < n; i = j) {
		sqlite3_stmt *st;
		long long count = 0;
		int64_t hour = hour_floor(run[i]->now_ms);
		int ret;
		for (j = i; j < n && hour_floor(run[j]->now_ms) == hour; j++)
			count += run[j]->count;
		st = stmt_get(s, ST_OCC_BUMP);
		if (!st)
			return -1;
		sqlite3_bind_int64(st, 1, gid);
		sqlite3_bind_int64(st, 2, hour);
		sqlite3_bind_int64(st, 3, count);
		ret = step_done(s, st, "cannot update");
		stmt_put(s, ST_OCC_BUMP, st);
		if (ret < 0)
			return -1;
	}
	return 0;
}

/* The sources of one fingerprint's entries, each counted once; a group
 * that gained one keeps its most recently seen.  A group made by this
 * batch has none yet, so its sources go straight in.  Reorders run. */
static int write_sources(struct qe_store *s, int64_t gid, struct qe_store_rec **run,
			 size_t n, int fresh)
{
	size_t i, j, added = 0;
	sqlite3_stmt *st;
	int ret;

	qsort(run, n, sizeof(*run), by_source);
	for (i = 0; i < n; i = j) {
		struct tally t;
		for (j = i + 1; j < n && !strcmp(source_key(run[i]), source_key(run[j]));
		     j++)
			;
		if (!*source_key(run[i]))
			continue; /* counted in the group only */
		tally_of(run + i, j - i, &t);
		ret = fresh ? 0 : run_tally(s, ST_SOURCE_BUMP, gid, &t);
		if (ret < 0)
			return -1;
		if (ret > 0)
			continue;
		if (run_tally(s, ST_SOURCE_INSERT, gid, &t) < 0)
			return -1;
		added++;
	}
	if (!added || (fresh && added <= QE_STORE_GROUP_SOURCES_MAX))
		return 0;
	st = stmt_get(s, ST_SOURCE_TRIM);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, gid);
	sqlite3_bind_int(st, 2, QE_STORE_GROUP_SOURCES_MAX);
	ret = step_done(s, st, "cannot update");
	stmt_put(s, ST_SOURCE_TRIM, st);
	return ret;
}

int qe_store_record_batch(struct qe_store *s, struct qe_store_rec *recs, size_t n)
{
	struct qe_store_rec **order;
	size_t i, j, k;
	int began = 0, ret = 0, fresh;
	int64_t gid = 0;

	for (i = 0; i < n; i++) {
		recs[i].is_new = recs[i].failed = 0;
		if (!recs[i].ev->fingerprint[0]) {
			recs[i].failed = 1;
			ret = qe_error("event has no fingerprint");
		}
	}
	if (!n)
		return 0;
	if (auto_begin(s, &began) < 0) {
		for (i = 0; i < n; i++)
			recs[i].failed = 1;
		return -1;
	}
	order = qe_xcalloc(n, sizeof(*order));
	for (i = 0; i < n; i++)
		order[i] = &recs[i];
	qsort(order, n, sizeof(*order), by_fingerprint);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && !strcmp(order[i]->ev->fingerprint,
						 order[j]->ev->fingerprint);
		     j++)
			;
		if (order[i]->failed)
			continue; /* no fingerprint */
		if (write_group(s, order + i, j - i, &gid, &fresh) == 0 &&
		    write_hours(s, gid, order + i, j - i) == 0 &&
		    write_sources(s, gid, order + i, j - i, fresh) == 0) {
			for (k = i; k < j; k++)
				order[k]->is_new = fresh;
			continue;
		}
		ret = -1;
		for (k = i; k < j; k++)
			order[k]->failed = 1;
		if (!qe_store_in_transaction(s))
			break; /* SQLite ended it: nothing written counts */
	}
	free(order);
	if (began && auto_end(s, began, ret) < 0) {
		for (i = 0; i < n; i++) {
			recs[i].failed = 1;
			recs[i].is_new = 0;
		}
		return -1;
	}
	return ret;
}

void qe_group_release(struct qe_group *g)
{
	if (!g)
		return;
	free(g->fingerprint);
	free(g->kind);
	free(g->type);
	free(g->template);
	free(g->message);
	free(g->severity);
	free(g->sample);
	free(g->source);
	memset(g, 0, sizeof(*g));
}

static void read_group(sqlite3_stmt *st, struct qe_group *g)
{
	g->fingerprint = col_dup(st, 0);
	g->kind = col_dup(st, 1);
	g->type = col_dup(st, 2);
	g->template = col_dup(st, 3);
	g->message = col_dup(st, 4);
	g->severity = col_dup(st, 5);
	g->sample = col_dup(st, 6);
	g->first_seen = sqlite3_column_int64(st, 7);
	g->last_seen = sqlite3_column_int64(st, 8);
	g->count = sqlite3_column_int64(st, 9);
	g->source = col_dup(st, 10);
}

int qe_store_group_get(struct qe_store *s, const char *fingerprint, struct qe_group *out)
{
	sqlite3_stmt *st = stmt_get(s, ST_GROUP_GET);
	int ret;

	memset(out, 0, sizeof(*out));
	if (!st)
		return -1;
	bind_text(st, 1, fingerprint);
	ret = step_lookup(s, st);
	if (ret == 1)
		read_group(st, out);
	stmt_put(s, ST_GROUP_GET, st);
	return ret;
}

/* A bucket counts when it overlaps [since, until): windows are rounded
 * out to whole hours, so no occurrence inside the window is missed. */
static int64_t window_lo(int64_t since_ms)
{
	return since_ms > 0 ? hour_floor(since_ms) : INT64_MIN;
}

static int64_t window_hi(int64_t until_ms)
{
	return until_ms > 0 ? until_ms : INT64_MAX;
}

static int group_row(sqlite3_stmt *st, void *p)
{
	struct iter *it = p;
	struct qe_group g;
	int stop;
	read_group(st, &g);
	stop = it->fn.group(&g, sqlite3_column_int64(st, 11), it->data);
	qe_group_release(&g);
	return stop;
}

int qe_store_groups(struct qe_store *s, int64_t since_ms, int64_t until_ms,
		    qe_group_fn fn, void *data)
{
	sqlite3_stmt *st = stmt_get(s, ST_GROUPS);
	struct iter it;
	int ret;

	it.fn.group = fn;
	it.data = data;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, since_ms > 0 ? since_ms : INT64_MIN);
	sqlite3_bind_int64(st, 2, window_lo(since_ms));
	sqlite3_bind_int64(st, 3, window_hi(until_ms));
	sqlite3_bind_int(st, 4, since_ms > 0);
	ret = each_row(s, st, group_row, &it);
	stmt_put(s, ST_GROUPS, st);
	return ret;
}

long long qe_store_group_count_between(struct qe_store *s, const char *fingerprint,
				       int64_t since_ms, int64_t until_ms)
{
	sqlite3_stmt *st = stmt_get(s, ST_COUNT_BETWEEN);
	long long n = -1;

	if (!st)
		return -1;
	bind_text(st, 1, fingerprint);
	sqlite3_bind_int64(st, 2, window_lo(since_ms));
	sqlite3_bind_int64(st, 3, window_hi(until_ms));
	if (step_lookup(s, st) == 1)
		n = sqlite3_column_int64(st, 0);
	stmt_put(s, ST_COUNT_BETWEEN, st);
	return n;
}

static int expired(int64_t expires, int64_t now_ms)
{
	return expires != 0 && expires <= now_ms;
}

int qe_store_advice_get(struct qe_store *s, const char *fingerprint, const char *model,
			int prompt_version, int64_t now_ms, char **json_out)
{
	sqlite3_stmt *st = stmt_get(s, ST_ADVICE_GET);
	char *json = NULL;
	int found, ret = -1;

	*json_out = NULL;
	if (!st)
		return -1;
	bind_text(st, 1, fingerprint);
	bind_text(st, 2, model ? model : "");
	sqlite3_bind_int(st, 3, prompt_version);
	found = step_lookup(s, st);
	if (found == 1 && !expired(sqlite3_column_int64(st, 1), now_ms))
		json = col_dup(st, 0);
	stmt_put(s, ST_ADVICE_GET, st);
	if (found < 0)
		return -1;

	/* Readers (`qerrors advice`) look without leaving a trace. */
	if (!s->readonly) {
		int began;
		if (auto_begin(s, &began) < 0)
			goto out;
		ret = 0;
		if (json) {
			st = stmt_get(s, ST_ADVICE_TOUCH);
			if (!st)
				ret = -1;
			else {
				bind_text(st, 1, fingerprint);
				bind_text(st, 2, model ? model : "");
				sqlite3_bind_int(st, 3, prompt_version);
				sqlite3_bind_int64(st, 4, now_ms);
				ret = step_done(s, st, "cannot update");
				stmt_put(s, ST_ADVICE_TOUCH, st);
			}
		}
		if (ret == 0)
			ret = qe_store_counter_add(
			    s, json ? "cache_hits" : "cache_misses", 1);
		if (auto_end(s, began, ret) < 0)
			goto out;
	}
	ret = json ? 1 : 0;
	*json_out = json;
	json = NULL;
out:
	free(json);
	return ret;
}

static int64_t expiry(int64_t now_ms, long ttl_s)
{
	if (ttl_s <= 0)
		return 0;
	if (now_ms > 0 && (int64_t)ttl_s > (INT64_MAX - now_ms) / 1000)
		return INT64_MAX;
	return now_ms + (int64_t)ttl_s * 1000;
}

int qe_store_advice_put(struct qe_store *s, const char *fingerprint, const char *model,
			int prompt_version, const char *json, long long tokens_prompt,
			long long tokens_completion, long ttl_s, long limit,
			int64_t now_ms)
{
	sqlite3_stmt *st;
	enum st id = ST_ADVICE_PUT;
	int began, ret = -1;

	if (limit == 0)
		return 0;
	if (!json)
		return qe_error("no advice to store for '%s'", fingerprint);
	if (auto_begin(s, &began) < 0)
		return -1;
	st = stmt_get(s, id);
	if (!st)
		goto out;
	bind_text(st, 1, fingerprint);
	bind_text(st, 2, model ? model : "");
	sqlite3_bind_int(st, 3, prompt_version);
	bind_text(st, 4, json);
	sqlite3_bind_int64(st, 5, now_ms);
	sqlite3_bind_int64(st, 6, expiry(now_ms, ttl_s));
	sqlite3_bind_int64(st, 7, tokens_prompt);
	sqlite3_bind_int64(st, 8, tokens_completion);
	if (step_done(s, st, "cannot update") < 0)
		goto out;
	if (limit > 0) {
		stmt_put(s, id, st);
		id = ST_ADVICE_EVICT;
		st = stmt_get(s, id);
		if (!st)
			goto out;
		sqlite3_bind_int64(st, 1, limit);
		sqlite3_bind_int64(st, 2, now_ms);
		bind_text(st, 3, fingerprint);
		bind_text(st, 4, model ? model : "");
		sqlite3_bind_int(st, 5, prompt_version);
		if (step_done(s, st, "cannot update") < 0)
			goto out;
	}
	ret = 0;
out:
	stmt_put(s, id, st);
	return auto_end(s, began, ret);
}

void qe_cache_entry_release(struct qe_cache_entry *e)
{
	if (!e)
		return;
	free(e->fingerprint);
	free(e->model);
	free(e->json);
	memset(e, 0, sizeof(*e));
}

static void read_entry(sqlite3_stmt *st, struct qe_cache_entry *e)
{
	e->fingerprint = col_dup(st, 0);
	e->model = col_dup(st, 1);
	e->prompt_version = sqlite3_column_int(st, 2);
	e->json = col_dup(st, 3);
	e->created = sqlite3_column_int64(st, 4);
	e->expires = sqlite3_column_int64(st, 5);
	e->last_used = sqlite3_column_int64(st, 6);
	e->hits = sqlite3_column_int64(st, 7);
	e->tokens_prompt = sqlite3_column_int64(st, 8);
	e->tokens_completion = sqlite3_column_int64(st, 9);
}

static int entry_row(sqlite3_stmt *st, void *p)
{
	struct iter *it = p;
	struct qe_cache_entry e;
	int stop;
	read_entry(st, &e);
	stop = it->fn.entry(&e, it->data);
	qe_cache_entry_release(&e);
	return stop;
}

int qe_store_cache_list(struct qe_store *s, qe_cache_fn fn, void *data)
{
	sqlite3_stmt *st = stmt_get(s, ST_CACHE_LIST);
	struct iter it;
	int ret;

	it.fn.entry = fn;
	it.data = data;
	if (!st)
		return -1;
	ret = each_row(s, st, entry_row, &it);
	stmt_put(s, ST_CACHE_LIST, st);
	return ret;
}

int qe_store_cache_get_any(struct qe_store *s, const char *fingerprint,
			   struct qe_cache_entry *out)
{
	sqlite3_stmt *st = stmt_get(s, ST_CACHE_GET_ANY);
	int ret;

	memset(out, 0, sizeof(*out));
	if (!st)
		return -1;
	bind_text(st, 1, fingerprint);
	ret = step_lookup(s, st);
	if (ret == 1)
		read_entry(st, out);
	stmt_put(s, ST_CACHE_GET_ANY, st);
	return ret;
}

/* Run a DELETE; rows removed or -1. */
static long long delete_rows(struct qe_store *s, enum st id, sqlite3_stmt *st)
{
	long long n = -1;

	if (step_done(s, st, "cannot update") == 0)
		n = sqlite3_changes(s->db);
	stmt_put(s, id, st);
	return n;
}

long long qe_store_cache_clear(struct qe_store *s, const char *fingerprint)
{
	enum st id = fingerprint ? ST_CACHE_CLEAR_ONE : ST_CACHE_CLEAR_ALL;
	sqlite3_stmt *st = stmt_get(s, id);

	if (!st)
		return -1;
	if (fingerprint)
		bind_text(st, 1, fingerprint);
	return delete_rows(s, id, st);
}

long long qe_store_cache_prune(struct qe_store *s, int64_t now_ms)
{
	sqlite3_stmt *st = stmt_get(s, ST_CACHE_PRUNE);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, now_ms);
	return delete_rows(s, ST_CACHE_PRUNE, st);
}

long long qe_store_cache_count(struct qe_store *s)
{
	sqlite3_stmt *st = stmt_get(s, ST_CACHE_COUNT);
	long long n = -1;

	if (!st)
		return -1;
	if (step_lookup(s, st) == 1)
		n = sqlite3_column_int64(st, 0);
	stmt_put(s, ST_CACHE_COUNT, st);
	return n;
}

int qe_store_counter_add(struct qe_store *s, const char *name, long long delta)
{
	size_t i, len = strlen(name);

	if (!sqlite3_get_autocommit(s->db) && !s->readonly &&
	    len < sizeof(s->pending[0].name)) {
		for (i = 0; i < s->npending; i++)
			if (!strcmp(s->pending[i].name, name)) {
				s->pending[i].delta += delta;
				return 0;
			}
		if (i < PENDING_MAX) {
			memcpy(s->pending[i].name, name, len + 1);
			s->pending[i].delta = delta;
			s->npending++;
			return 0;
		}
	}
	return counter_write(s, name, delta);
}

/* Before a read of the counters in the transaction that has some. */
static int counters_ready(struct qe_store *s)
{
	if (!s->npending)
		return 0;
	if (sqlite3_get_autocommit(s->db)) {
		s->npending = 0; /* SQLite ended their transaction by itself */
		return 0;
	}
	return flush_counters(s);
}

long long qe_store_counter_get(struct qe_store *s, const char *name)
{
	sqlite3_stmt *st;
	long long n = 0;

	if (counters_ready(s) < 0)
		return 0;
	st = stmt_get(s, ST_COUNTER_GET);
	if (!st)
		return 0;
	bind_text(st, 1, name);
	if (step_lookup(s, st) == 1)
		n = sqlite3_column_int64(st, 0);
	stmt_put(s, ST_COUNTER_GET, st);
	return n;
}

static int counter_row(sqlite3_stmt *st, void *p)
{
	struct iter *it = p;
	const char *name = (const char *)sqlite3_column_text(st, 0);
	return it->fn.counter(name ? name : "", sqlite3_column_int64(st, 1), it->data);
}

int qe_store_counters(struct qe_store *s, qe_counter_fn fn, void *data)
{
	sqlite3_stmt *st;
	struct iter it;
	int ret;

	it.fn.counter = fn;
	it.data = data;
	if (counters_ready(s) < 0)
		return -1;
	st = stmt_get(s, ST_COUNTERS);
	if (!st)
		return -1;
	ret = each_row(s, st, counter_row, &it);
	stmt_put(s, ST_COUNTERS, st);
	return ret;
}

void qe_offset_release(struct qe_offset *o)
{
	if (!o)
		return;
	free(o->path);
	free(o->format);
	memset(o, 0, sizeof(*o));
}

static void read_offset(sqlite3_stmt *st, struct qe_offset *o)
{
	o->path = col_dup(st, 0);
	o->dev = i2u(sqlite3_column_int64(st, 1));
	o->ino = i2u(sqlite3_column_int64(st, 2));
	o->head_hash = i2u(sqlite3_column_int64(st, 3));
	o->head_len = i2u(sqlite3_column_int64(st, 4));
	o->offset = i2u(sqlite3_column_int64(st, 5));
	o->size = i2u(sqlite3_column_int64(st, 6));
	o->updated = sqlite3_column_int64(st, 7);
	o->rotated = sqlite3_column_int(st, 8) != 0;
	o->format = col_dup(st, 9);
}

int qe_store_offset_get(struct qe_store *s, const char *path, struct qe_offset *out)
{
	sqlite3_stmt *st = stmt_get(s, ST_OFFSET_GET);
	int ret;

	memset(out, 0, sizeof(*out));
	if (!st)
		return -1;
	bind_text(st, 1, path);
	ret = step_lookup(s, st);
	if (ret == 1)
		read_offset(st, out);
	stmt_put(s, ST_OFFSET_GET, st);
	return ret;
}

int qe_store_offset_put(struct qe_store *s, const struct qe_offset *o)
{
	sqlite3_stmt *st;
	int ret;

	if (!o->path)
		return qe_error("offset without a path");
	st = stmt_get(s, ST_OFFSET_PUT);
	if (!st)
		return -1;
	bind_text(st, 1, o->path);
	sqlite3_bind_int64(st, 2, u2i(o->dev));
	sqlite3_bind_int64(st, 3, u2i(o->ino));
	sqlite3_bind_int64(st, 4, u2i(o->head_hash));
	sqlite3_bind_int64(st, 5, u2i(o->head_len));
	sqlite3_bind_int64(st, 6, u2i(o->offset));
	sqlite3_bind_int64(st, 7, u2i(o->size));
	sqlite3_bind_int64(st, 8, o->updated);
	sqlite3_bind_int(st, 9, o->rotated != 0);
	bind_text(st, 10, o->format);
	ret = step_done(s, st, "cannot update");
	stmt_put(s, ST_OFFSET_PUT, st);
	return ret;
}

static int offset_row(sqlite3_stmt *st, void *p)
{
	struct iter *it = p;
	struct qe_offset o;
	int stop;
	read_offset(st, &o);
	stop = it->fn.offset(&o, it->data);
	qe_offset_release(&o);
	return stop;
}

int qe_store_offset_find(struct qe_store *s, const char *path, uint64_t dev, uint64_t ino,
			 qe_offset_fn fn, void *data)
{
	sqlite3_stmt *st = stmt_get(s, ST_OFFSET_FIND);
	struct iter it;
	int ret;

	it.fn.offset = fn;
	it.data = data;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, u2i(dev));
	sqlite3_bind_int64(st, 2, u2i(ino));
	bind_text(st, 3, path);
	ret = each_row(s, st, offset_row, &it);
	stmt_put(s, ST_OFFSET_FIND, st);
	return ret;
}

int qe_store_offset_delete(struct qe_store *s, const char *path)
{
	sqlite3_stmt *st = stmt_get(s, ST_OFFSET_DELETE);

	if (!st)
		return -1;
	bind_text(st, 1, path);
	return delete_rows(s, ST_OFFSET_DELETE, st) < 0 ? -1 : 0;
}

int qe_store_offset_forget(struct qe_store *s, uint64_t dev, uint64_t ino)
{
	sqlite3_stmt *st = stmt_get(s, ST_OFFSET_FORGET);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, u2i(dev));
	sqlite3_bind_int64(st, 2, u2i(ino));
	return delete_rows(s, ST_OFFSET_FORGET, st) < 0 ? -1 : 0;
}

int qe_store_offsets(struct qe_store *s, qe_offset_fn fn, void *data)
{
	sqlite3_stmt *st = stmt_get(s, ST_OFFSETS);
	struct iter it;
	int ret;

	it.fn.offset = fn;
	it.data = data;
	if (!st)
		return -1;
	ret = each_row(s, st, offset_row, &it);
	stmt_put(s, ST_OFFSETS, st);
	return ret;
}

void qe_jcursor_release(struct qe_jcursor *c)
{
	free(c->source);
	free(c->cursor);
	memset(c, 0, sizeof(*c));
}

static void read_jcursor(sqlite3_stmt *st, struct qe_jcursor *c)
{
	c->source = col_dup(st, 0);
	c->cursor = col_dup(st, 1);
	if (!c->cursor)
		c->cursor = qe_xstrdup("");
	c->entries = sqlite3_column_int64(st, 2);
	c->last_entry = sqlite3_column_int64(st, 3);
	c->updated = sqlite3_column_int64(st, 4);
}

int qe_store_jcursor_get(struct qe_store *s, const char *source, struct qe_jcursor *out)
{
	sqlite3_stmt *st = stmt_get(s, ST_JCURSOR_GET);
	int ret;

	memset(out, 0, sizeof(*out));
	if (!st)
		return -1;
	bind_text(st, 1, source);
	ret = step_lookup(s, st);
	if (ret == 1)
		read_jcursor(st, out);
	stmt_put(s, ST_JCURSOR_GET, st);
	return ret;
}

int qe_store_jcursor_put(struct qe_store *s, const struct qe_jcursor *c)
{
	sqlite3_stmt *st;
	int ret;

	if (!c->source || !c->cursor)
		return qe_error("journal cursor without a source");
	st = stmt_get(s, ST_JCURSOR_PUT);
	if (!st)
		return -1;
	bind_text(st, 1, c->source);
	bind_text(st, 2, c->cursor);
	sqlite3_bind_int64(st, 3, c->entries);
	sqlite3_bind_int64(st, 4, c->last_entry);
	sqlite3_bind_int64(st, 5, c->updated);
	ret = step_done(s, st, "cannot update");
	stmt_put(s, ST_JCURSOR_PUT, st);
	return ret;
}

static int jcursor_row(sqlite3_stmt *st, void *p)
{
	struct iter *it = p;
	struct qe_jcursor c;
	int stop;
	read_jcursor(st, &c);
	stop = it->fn.jcursor(&c, it->data);
	qe_jcursor_release(&c);
	return stop;
}

int qe_store_jcursors(struct qe_store *s, qe_jcursor_fn fn, void *data)
{
	sqlite3_stmt *st = stmt_get(s, ST_JCURSORS);
	struct iter it;
	int ret;

	it.fn.jcursor = fn;
	it.data = data;
	if (!st)
		return -1;
	ret = each_row(s, st, jcursor_row, &it);
	stmt_put(s, ST_JCURSORS, st);
	return ret;
}

int qe_store_kv_get(struct qe_store *s, const char *key, char **val_out)
{
	sqlite3_stmt *st = stmt_get(s, ST_KV_GET);
	int ret;

	*val_out = NULL;
	if (!st)
		return -1;
	bind_text(st, 1, key);
	ret = step_lookup(s, st);
	if (ret == 1)
		*val_out = col_dup(st, 0);
	stmt_put(s, ST_KV_GET, st);
	return ret;
}

int qe_store_kv_put(struct qe_store *s, const char *key, const char *val)
{
	enum st id = val ? ST_KV_PUT : ST_KV_DELETE;
	sqlite3_stmt *st = stmt_get(s, id);
	int ret;

	if (!st)
		return -1;
	bind_text(st, 1, key);
	if (val)
		bind_text(st, 2, val);
	ret = step_done(s, st, "cannot update");
	stmt_put(s, id, st);
	return ret;
}

/* Run a report query with at most one text parameter, calling row() per
 * row; 0 or -1. */
static int report_query(struct qe_store *s, const char *sql, const char *p1,
			int (*row)(sqlite3_stmt *st, void *data), void *data)
{
	sqlite3_stmt *st = NULL;
	int ret;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "cannot read");
	if (p1)
		bind_text(st, 1, p1);
	ret = each_row(s, st, row, data);
	sqlite3_finalize(st);
	return ret;
}

long long qe_store_group_total(struct qe_store *s)
{
	long long n;

	if (query_int(s, "SELECT count(*) FROM groups", &n) < 0)
		return -1;
	return n;
}

struct totals_call {
	qe_total_fn fn;
	void *data;
};

static int totals_row(sqlite3_stmt *st, void *data)
{
	struct totals_call *c = data;
	const char *name = (const char *)sqlite3_column_text(st, 0);
	return c->fn(name ? name : "", sqlite3_column_int64(st, 1),
		     sqlite3_column_int64(st, 2), c->data);
}

int qe_store_group_totals(struct qe_store *s, int by, qe_total_fn fn, void *data)
{
	struct totals_call c = {fn, data};
	const char *sql =
	    by == QE_STORE_BY_KIND
		? "SELECT kind, count(*), coalesce(sum(count), 0) FROM groups"
		  " GROUP BY kind ORDER BY kind"
		: "SELECT severity, count(*), coalesce(sum(count), 0) FROM groups"
		  " GROUP BY severity ORDER BY severity";
	return report_query(s, sql, NULL, totals_row, &c);
}

struct fingerprints_call {
	qe_fingerprint_fn fn;
	void *data;
};

static int fingerprints_row(sqlite3_stmt *st, void *data)
{
	struct fingerprints_call *c = data;
	const char *fp = (const char *)sqlite3_column_text(st, 0);
	return c->fn(fp ? fp : "", c->data);
}

int qe_store_fingerprints(struct qe_store *s, const char *prefix, int from,
			  qe_fingerprint_fn fn, void *data)
{
	struct fingerprints_call c = {fn, data};
	/* substr(), not LIKE: a prefix is bytes, with no wildcards. */
	static const char *const sql[] = {
	    [QE_STORE_FP_GROUPS] = "SELECT fingerprint FROM groups"
				   " WHERE substr(fingerprint, 1, length(?1)) = ?1"
				   " ORDER BY 1",
	    [QE_STORE_FP_ADVICE] = "SELECT DISTINCT fingerprint FROM advice"
				   " WHERE substr(fingerprint, 1, length(?1)) = ?1"
				   " ORDER BY 1",
	    [QE_STORE_FP_GROUPS | QE_STORE_FP_ADVICE] =
		"SELECT fingerprint FROM groups"
		" WHERE substr(fingerprint, 1, length(?1)) = ?1"
		" UNION SELECT fingerprint FROM advice"
		" WHERE substr(fingerprint, 1, length(?1)) = ?1 ORDER BY 1",
	};

	from &= QE_STORE_FP_GROUPS | QE_STORE_FP_ADVICE;
	if (!from)
		return 0;
	return report_query(s, sql[from], prefix ? prefix : "", fingerprints_row, &c);
}

/* ---- agent status (kv rows, so old readers still find them) ---- */

#define AGENT_PID_KEY "agent.pid"
#define AGENT_HEARTBEAT_KEY "agent.heartbeat"
#define AGENT_QUEUE_KEY "agent.queue_length"

int qe_store_agent_status_put(struct qe_store *s, const struct qe_store_agent_status *st)
{
	char buf[32];
	if (!st->pid)
		return qe_store_kv_put(s, AGENT_PID_KEY, NULL) < 0 ||
			       qe_store_kv_put(s, AGENT_QUEUE_KEY, NULL) < 0
			   ? -1
			   : 0;
	snprintf(buf, sizeof(buf), "%lld", st->queue_length);
	if (qe_store_kv_put(s, AGENT_QUEUE_KEY, buf) < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%ld", st->pid);
	if (qe_store_kv_put(s, AGENT_PID_KEY, buf) < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%lld", (long long)st->heartbeat_ms);
	return qe_store_kv_put(s, AGENT_HEARTBEAT_KEY, buf);
}

static long long kv_ll(struct qe_store *s, const char *key, int *found)
{
	char *val = NULL, *end;
	long long n = 0;
	if (qe_store_kv_get(s, key, &val) == 1 && val) {
		n = strtoll(val, &end, 10);
		if (end == val)
			n = 0;
		else
			*found = 1;
	}
	free(val);
	return n;
}

int qe_store_agent_status_get(struct qe_store *s, struct qe_store_agent_status *out)
{
	int found = 0;
	out->pid = (long)kv_ll(s, AGENT_PID_KEY, &found);
	out->heartbeat_ms = (int64_t)kv_ll(s, AGENT_HEARTBEAT_KEY, &found);
	out->queue_length = kv_ll(s, AGENT_QUEUE_KEY, &found);
	return found;
}

/* ---- per-hour counts of one group ---- */

struct hours_call {
	qe_hour_fn fn;
	void *data;
};

static int hours_row(sqlite3_stmt *st, void *data)
{
	struct hours_call *c = data;
	return c->fn(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), c->data);
}

int qe_store_group_hours(struct qe_store *s, const char *fingerprint, int64_t since_ms,
			 int64_t until_ms, qe_hour_fn fn, void *data)
{
	struct hours_call c = {fn, data};
	sqlite3_stmt *st = NULL;
	int ret;

	if (sqlite3_prepare_v2(
		s->db,
		"SELECT o.hour, o.count FROM groups g"
		" JOIN occurrences o ON o.group_id = g.id WHERE g.fingerprint = ?1"
		" AND o.hour >= ?2 AND o.hour < ?3 ORDER BY o.hour",
		-1, &st, NULL) != SQLITE_OK)
		return db_error(s, "cannot read");
	bind_text(st, 1, fingerprint);
	sqlite3_bind_int64(st, 2, window_lo(since_ms));
	sqlite3_bind_int64(st, 3, window_hi(until_ms));
	ret = each_row(s, st, hours_row, &c);
	sqlite3_finalize(st);
	return ret;
}

struct sources_call {
	qe_group_source_fn fn;
	void *data;
};

static int sources_row(sqlite3_stmt *st, void *data)
{
	struct sources_call *c = data;
	struct qe_group_source src;
	src.source = (const char *)sqlite3_column_text(st, 0);
	src.first_seen = sqlite3_column_int64(st, 1);
	src.last_seen = sqlite3_column_int64(st, 2);
	src.count = sqlite3_column_int64(st, 3);
	return c->fn(&src, c->data);
}

int qe_store_group_sources(struct qe_store *s, const char *fingerprint,
			   qe_group_source_fn fn, void *data)
{
	struct sources_call c = {fn, data};
	sqlite3_stmt *st = NULL;
	int ret;

	if (sqlite3_prepare_v2(
		s->db,
		"SELECT o.source, o.first_seen, o.last_seen, o.count FROM groups g"
		" JOIN group_sources o ON o.group_id = g.id WHERE g.fingerprint = ?1"
		" ORDER BY o.last_seen DESC, o.source",
		-1, &st, NULL) != SQLITE_OK)
		return db_error(s, "cannot read");
	bind_text(st, 1, fingerprint);
	ret = each_row(s, st, sources_row, &c);
	sqlite3_finalize(st);
	return ret;
}

/* ---- the last failed attempt to get advice ---- */

void qe_advice_failure_release(struct qe_advice_failure *f)
{
	if (!f)
		return;
	free(f->fingerprint);
	free(f->model);
	free(f->status);
	free(f->message);
	memset(f, 0, sizeof(*f));
}

/* One write statement with text and integer parameters; 0 or -1. */
static int failure_write(struct qe_store *s, const char *sql, const char *const *text,
			 int ntext, int64_t when)
{
	sqlite3_stmt *st = NULL;
	int i, ret;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "cannot update");
	for (i = 0; i < ntext; i++)
		bind_text(st, i + 1, text[i]);
	if (when)
		sqlite3_bind_int64(st, ntext + 1, when);
	ret = step_done(s, st, "cannot update");
	sqlite3_finalize(st);
	return ret;
}

int qe_store_advice_failure_put(struct qe_store *s, const char *fingerprint,
				const char *model, const char *status,
				const char *message, int64_t when_ms)
{
	const char *text[4];
	text[0] = fingerprint;
	text[1] = model ? model : "";
	text[2] = status ? status : "";
	text[3] = message ? message : "";
	return failure_write(
	    s,
	    "INSERT INTO advice_failures (fingerprint, model, status, message, at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (fingerprint) DO UPDATE SET"
	    " model = excluded.model, status = excluded.status,"
	    " message = excluded.message, at = max(at, excluded.at),"
	    " attempts = attempts + 1",
	    text, 4, when_ms ? when_ms : 1);
}

int qe_store_advice_failure_get(struct qe_store *s, const char *fingerprint,
				struct qe_advice_failure *out)
{
	sqlite3_stmt *st = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(s->db,
			       "SELECT fingerprint, model, status, message, at, attempts"
			       " FROM advice_failures WHERE fingerprint = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "cannot read");
	bind_text(st, 1, fingerprint);
	ret = step_lookup(s, st);
	if (ret == 1) {
		out->fingerprint = col_dup(st, 0);
		out->model = col_dup(st, 1);
		out->status = col_dup(st, 2);
		out->message = col_dup(st, 3);
		out->when = sqlite3_column_int64(st, 4);
		out->attempts = sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);
	return ret;
}

int qe_store_advice_failure_clear(struct qe_store *s, const char *fingerprint)
{
	const char *text[1];
	text[0] = fingerprint;
	return failure_write(s, "DELETE FROM advice_failures WHERE fingerprint = ?1",
			     text, 1, 0);
}

/* ---- learnt templates ---- */

/* The table is not in the migrations: it is created on first use, so a
 * database of an older release gains it without a schema step. */
static int template_table(struct qe_store *s)
{
	return exec_sql(s,
			"CREATE TABLE IF NOT EXISTS templates ("
			" id TEXT PRIMARY KEY NOT NULL,"
			" type TEXT NOT NULL,"
			" template TEXT NOT NULL,"
			" count INTEGER NOT NULL DEFAULT 0,"
			" first_seen INTEGER NOT NULL)",
			"cannot create the templates table");
}

/* A save writes every template the learner changed (thousands while
 * new errors keep coming): the statements are kept, as the others. */
static int template_run(struct qe_store *s, enum st id, const struct qe_template_row *t,
			const char *tid)
{
	sqlite3_stmt *st;
	int ret = -1, tries;

	for (tries = 0; tries < 2; tries++) {
		/* the first write to a database that has no templates yet
		 * makes the table */
		if (!s->have_templates) {
			if (template_table(s) < 0)
				return -1;
			s->have_templates = 1;
		}
		st = stmt_get(s, id);
		if (st) {
			if (t) {
				bind_text(st, 1, t->id);
				bind_text(st, 2, t->type ? t->type : "");
				bind_text(st, 3, t->tmpl);
				sqlite3_bind_int64(st, 4, t->count);
				sqlite3_bind_int64(st, 5, t->first_seen);
			} else {
				bind_text(st, 1, tid);
			}
			ret = step_done(s, st, "cannot update the templates");
			stmt_put(s, id, st);
		}
		if (ret == 0 || !strstr(sqlite3_errmsg(s->db), "no such table"))
			break;
		/* the transaction that made the table was rolled back */
		s->have_templates = 0;
	}
	return ret;
}

int qe_store_template_put(struct qe_store *s, const struct qe_template_row *t)
{
	return template_run(s, ST_TEMPLATE_PUT, t, NULL);
}

int qe_store_template_delete(struct qe_store *s, const char *id)
{
	return template_run(s, ST_TEMPLATE_DELETE, NULL, id);
}

int qe_store_templates(struct qe_store *s, qe_template_fn fn, void *data)
{
	sqlite3_stmt *st = NULL;
	int rc, ret = 0;

	rc = sqlite3_prepare_v2(
	    s->db,
	    "SELECT id, type, template, count, first_seen FROM templates"
	    " ORDER BY first_seen, id",
	    -1, &st, NULL);
	if (rc != SQLITE_OK) {
		/* no table yet: nothing learnt */
		if (strstr(sqlite3_errmsg(s->db), "no such table"))
			return 0;
		return db_error(s, "cannot read the templates");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct qe_template_row t;
		t.id = (const char *)sqlite3_column_text(st, 0);
		t.type = (const char *)sqlite3_column_text(st, 1);
		t.tmpl = (const char *)sqlite3_column_text(st, 2);
		t.count = sqlite3_column_int64(st, 3);
		t.first_seen = sqlite3_column_int64(st, 4);
		if (!t.id || !t.tmpl)
			continue;
		if ((ret = fn(&t, data)) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_error(s, "cannot read the templates");
	sqlite3_finalize(st);
	return ret;
}
