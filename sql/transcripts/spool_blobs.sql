-- A group's framed lines read in place from its spool files (an embedded engine shares this
-- machine's files): a temporary File table over the files matching the glob parameter spool, with the
-- columns of _staging_transcript_blobs, in the order the files hold them. entries.sql reads it
-- instead of the staging table. Temporary, so it leaves no table behind in the database.
CREATE OR REPLACE TEMPORARY TABLE _spool_transcript_blobs AS _staging_transcript_blobs
ENGINE = File(RowBinary, {spool:String});
