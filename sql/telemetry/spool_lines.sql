-- A batch's lines read in place from its spool files (an embedded engine shares this
-- machine's files): a temporary File table over the files matching the glob parameter spool, with the
-- columns of _staging_telemetry_lines in the order the files hold them. The batch queries read
-- it instead of the staging table. Temporary, so it leaves no table behind in the database.
CREATE OR REPLACE TEMPORARY TABLE _spool_telemetry_lines AS _staging_telemetry_lines
ENGINE = File(RowBinary, {spool:String});
