/**
 * What segment SQL may use beyond the analyst relations: built-in functions and types, by name. An allow-list,
 * not a deny-list: PostgreSQL has ~3,000 functions and a new release adds more, so anything not named here is
 * refused — set_config, current_setting, query_to_xml and the *_to_xml family, lo_*, pg_read_*, pg_ls_*,
 * dblink*, pg_sleep*, pg_terminate_backend/pg_cancel_backend, txid_* and advisory locks, nextval … are simply
 * absent. Every function here is side-effect free and reads nothing but its arguments (no catalogs, no files,
 * no settings); the few that can allocate without bound (repeat, lpad, rpad) are left out as well.
 */

const AGGREGATES = [
  "count", "sum", "avg", "min", "max", "bool_and", "bool_or", "every", "string_agg", "array_agg",
  "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg", "percentile_cont", "percentile_disc", "mode",
  "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp", "corr", "covar_pop", "covar_samp",
  "regr_avgx", "regr_avgy", "regr_count", "regr_intercept", "regr_r2", "regr_slope", "regr_sxx", "regr_sxy", "regr_syy",
  "bit_and", "bit_or", "any_value",
];

const WINDOW = ["row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value", "last_value", "nth_value"];

const MATH = [
  "abs", "ceil", "ceiling", "floor", "round", "trunc", "sign", "sqrt", "cbrt", "power", "pow", "exp", "ln", "log", "log10",
  "mod", "div", "width_bucket", "random", "pi", "degrees", "radians", "scale", "gcd", "lcm", "factorial",
];

const STRING = [
  "lower", "upper", "initcap", "length", "char_length", "character_length", "octet_length", "bit_length", "btrim", "ltrim",
  "rtrim", "substr", "substring", "left", "right", "replace", "split_part", "strpos", "position", "concat", "concat_ws",
  "format", "md5", "sha256", "regexp_replace", "regexp_match", "regexp_matches", "regexp_split_to_array",
  "regexp_split_to_table", "regexp_like", "regexp_count", "regexp_instr", "regexp_substr", "starts_with", "translate",
  "reverse", "overlay", "similar_to_escape", "to_char", "to_number", "ascii", "chr", "quote_literal", "quote_nullable",
  "normalize", "is_normalized", "string_to_array", "string_to_table", "array_to_string", "encode", "decode",
];

const DATE_TIME = [
  "now", "clock_timestamp", "statement_timestamp", "transaction_timestamp", "date_trunc", "date_part", "extract", "age",
  "make_date", "make_time", "make_interval", "make_timestamp", "make_timestamptz", "date_bin", "justify_days",
  "justify_hours", "justify_interval", "isfinite", "timezone", "overlaps", "to_date", "to_timestamp",
];

const JSON_FUNCTIONS = [
  "to_json", "to_jsonb", "row_to_json", "array_to_json", "json_build_object", "jsonb_build_object", "json_build_array",
  "jsonb_build_array", "json_object", "jsonb_object", "json_extract_path", "jsonb_extract_path", "json_extract_path_text",
  "jsonb_extract_path_text", "json_array_length", "jsonb_array_length", "json_array_elements", "jsonb_array_elements",
  "json_array_elements_text", "jsonb_array_elements_text", "json_each", "jsonb_each", "json_each_text", "jsonb_each_text",
  "json_object_keys", "jsonb_object_keys", "json_typeof", "jsonb_typeof", "json_strip_nulls", "jsonb_strip_nulls",
  "json_to_record", "jsonb_to_record", "json_to_recordset", "jsonb_to_recordset", "jsonb_set", "jsonb_set_lax",
  "jsonb_insert", "jsonb_pretty", "jsonb_path_exists", "jsonb_path_match", "jsonb_path_query", "jsonb_path_query_array",
  "jsonb_path_query_first",
];

const ARRAYS_AND_SETS = [
  "generate_series", "unnest", "array_length", "array_position", "array_positions", "array_remove", "array_replace",
  "array_append", "array_prepend", "array_cat", "array_lower", "array_upper", "array_ndims", "array_dims", "cardinality",
  "trim_array", "num_nonnulls", "num_nulls", "gen_random_uuid",
];

/** Built-in functions (schema pg_catalog, or unqualified) that segment SQL may call. */
export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([...AGGREGATES, ...WINDOW, ...MATH, ...STRING, ...DATE_TIME, ...JSON_FUNCTIONS, ...ARRAYS_AND_SETS]);

/**
 * Types a value may be cast to (and a column definition list may declare), by the name the parser gives them
 * (`integer` is pg_catalog.int4). Leaves out the reg* types, whose input functions read the catalogs
 * ('api_keys'::regclass), and every type of the engine's own tables (a row type names a relation).
 */
export const ALLOWED_TYPES: ReadonlySet<string> = new Set([
  "bool", "boolean", "int2", "int4", "int8", "int", "integer", "smallint", "bigint", "float4", "float8", "real", "float",
  "numeric", "decimal", "text", "varchar", "bpchar", "char", "character", "date", "time", "timetz", "timestamp",
  "timestamptz", "interval", "json", "jsonb", "uuid", "bytea", "bit", "varbit",
]);
