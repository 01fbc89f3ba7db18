# dates: formatdate, timeadd, timestamp, formattimestamp, unixtimestampparse
# (go-cty stdlib/datetime.go; buildx stdlib.go and stdlib_test.go; Terraform docs)
# The injected clock is 1700000000 = 2023-11-14T22:13:20Z.
cases = {
  fd_basic             = [formatdate("YYYY-MM-DD hh:mm:ss", "2024-03-05T07:08:09Z"), "2024-03-05 07:08:09"]   # corpus 215
  fd_names             = [formatdate("EEEE, DD MMM YYYY", "2024-03-05T07:08:09Z"), "Tuesday, 05 Mar 2024"]    # corpus 215
  fd_zzz_offset        = [formatdate("hh:mm ZZZ", "2024-03-05T07:08:09+02:00"), "07:08 +0200"]                # corpus 215
  fd_zzz_utc           = [formatdate("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z"), "02 Jan 2018 23:12 UTC"] # Terraform docs
  fd_short_year        = [formatdate("EEEE, DD-MMM-YY hh:mm:ss ZZZ", "2018-01-02T23:12:01Z"), "Tuesday, 02-Jan-18 23:12:01 UTC"] # Terraform docs
  fd_eee_negative_tz   = [formatdate("EEE, DD MMM YYYY hh:mm:ss ZZZ", "2018-01-02T23:12:01-08:00"), "Tue, 02 Jan 2018 23:12:01 -0800"] # Terraform docs
  fd_mmm_dd            = [formatdate("MMM DD, YYYY", "2018-01-02T23:12:01Z"), "Jan 02, 2018"]                  # Terraform docs
  fd_12_hour           = [formatdate("HH:mmaa", "2018-01-02T23:12:01Z"), "11:12pm"]                           # Terraform docs
  fd_12_hour_upper     = [formatdate("H AA", "2018-01-02T00:12:01Z"), "12 AM"]                                # hour 0 is 12
  fd_unpadded          = [formatdate("D/M h:m:s", "2024-03-05T07:08:09Z"), "5/3 7:8:9"]
  fd_month_full        = [formatdate("MMMM", "2024-03-05T07:08:09Z"), "March"]
  fd_literal           = [formatdate("'Date:' YYYY", "2024-03-05T07:08:09Z"), "Date: 2024"]
  fd_escaped_quote     = [formatdate("hh'h''s'", "2024-03-05T07:08:09Z"), "07h's"]                           # '' inside quotes is a quote
  fd_z_utc             = [formatdate("Z", "2024-03-05T07:08:09Z"), "Z"]
  fd_z_offset          = [formatdate("Z", "2024-03-05T07:08:09+05:30"), "+05:30"]
  fd_zzzz              = [formatdate("ZZZZ", "2024-03-05T07:08:09Z"), "+0000"]
  fd_zzzzz             = [formatdate("ZZZZZ", "2024-03-05T07:08:09-03:00"), "-03:00"]
  fd_fraction_input    = [formatdate("ss", "2024-03-05T07:08:09.5Z"), "09"]
  fd_punctuation       = [formatdate("YYYY.MM.DD-hh", "2024-03-05T07:08:09Z"), "2024.03.05-07"]
  timeadd_hours        = [timeadd("2024-01-31T23:00:00Z", "2h30m"), "2024-02-01T01:30:00Z"]                   # corpus 215
  timeadd_negative     = [timeadd("2024-01-01T00:00:00Z", "-1s"), "2023-12-31T23:59:59Z"]                     # corpus 215
  timeadd_minutes      = [timeadd("2017-11-22T00:00:00Z", "10m"), "2017-11-22T00:10:00Z"]                     # Terraform docs
  timeadd_keeps_offset = [timeadd("2024-01-01T00:00:00+01:00", "1h"), "2024-01-01T01:00:00+01:00"]
  timeadd_fraction     = [timeadd("2024-01-01T00:00:00Z", "1.5h"), "2024-01-01T01:30:00Z"]
  timeadd_leap_day     = [timeadd("2024-02-28T12:00:00Z", "24h"), "2024-02-29T12:00:00Z"]
  timestamp_injected   = [timestamp(), "2023-11-14T22:13:20Z"]
  fts_corpus           = [formattimestamp("YYYY-MM-DD'T'hh:mm:ssZ", 1700000000), "2023-11-14T22:13:20Z"]      # corpus 216
  fts_unix_from_string = [formattimestamp("X", "2015-10-21T00:00:00Z"), "1445385600"]                          # buildx stdlib_test.go
  fts_unix_from_number = [formattimestamp("X", 1445385600), "1445385600"]                                      # buildx stdlib_test.go
  fts_rfc3339_input    = [formattimestamp("YYYY-MM-DD", "2025-09-16T12:00:00Z"), "2025-09-16"]                 # buildx stdlib_test.go
  fts_unix_input       = [formattimestamp("YYYY-MM-DD'T'hh:mm:ssZ", 1690328596), "2023-07-25T23:43:16Z"]       # buildx stdlib_test.go
  fts_negative         = [formattimestamp("YYYY-MM-DD'T'hh:mm:ssZ", -1), "1969-12-31T23:59:59Z"]               # buildx stdlib_test.go
  utp_corpus           = [unixtimestampparse(1700000000), { day = 14, hour = 22, iso_week = 46, iso_year = 2023, minute = 13, month = 11, month_name = "November", rfc3339 = "2023-11-14T22:13:20Z", second = 20, weekday = 2, weekday_name = "Tuesday", year = 2023, year_day = 318 }] # corpus 216
  utp_positive         = [unixtimestampparse(1690328596), { day = 25, hour = 23, iso_week = 30, iso_year = 2023, minute = 43, month = 7, month_name = "July", rfc3339 = "2023-07-25T23:43:16Z", second = 16, weekday = 2, weekday_name = "Tuesday", year = 2023, year_day = 206 }] # buildx stdlib_test.go
  utp_zero             = [unixtimestampparse(0), { day = 1, hour = 0, iso_week = 1, iso_year = 1970, minute = 0, month = 1, month_name = "January", rfc3339 = "1970-01-01T00:00:00Z", second = 0, weekday = 4, weekday_name = "Thursday", year = 1970, year_day = 1 }] # buildx stdlib_test.go
  utp_negative         = [unixtimestampparse(-1), { day = 31, hour = 23, iso_week = 1, iso_year = 1970, minute = 59, month = 12, month_name = "December", rfc3339 = "1969-12-31T23:59:59Z", second = 59, weekday = 3, weekday_name = "Wednesday", year = 1969, year_day = 365 }] # buildx stdlib_test.go
  # buildx's stdlib_test.go expects an error for StringVal("0"), but it calls Function.Call
  # directly, which only tests type conformance; through HCL the argument is first converted
  # to the parameter type (hclsyntax FunctionCallExpr: convert.Convert(val, param.Type)).
  utp_string_converted = [unixtimestampparse("0").rfc3339, "1970-01-01T00:00:00Z"]
  utp_field            = [unixtimestampparse(1700000000).weekday_name, "Tuesday"]
}
errors = {
  fd_bad_timestamp     = formatdate("YYYY", "yesterday")            # corpus 217
  fd_no_timezone       = formatdate("YYYY", "2024-03-05T07:08:09")  # RFC 3339 requires an offset
  fd_yyy               = formatdate("YYY", "2024-03-05T07:08:09Z")  # year must be YY or YYYY
  fd_zz                = formatdate("ZZ", "2024-03-05T07:08:09Z")
  fd_eeeee             = formatdate("EEEEE", "2024-03-05T07:08:09Z")
  fd_unterminated      = formatdate("'abc", "2024-03-05T07:08:09Z")
  timeadd_bad_duration = timeadd("2024-01-01T00:00:00Z", "1d")       # Go's ParseDuration has no days
  timeadd_bad_time     = timeadd("x", "1h")
  fts_fraction         = formattimestamp("YYYY-MM-DD", 1.2)          # buildx stdlib_test.go
  fts_bad_string       = formattimestamp("YYYY-MM-DD", "0")          # buildx stdlib_test.go
  fts_unix_bad_string  = formattimestamp("X", "0")                   # buildx stdlib_test.go
  utp_fraction         = unixtimestampparse(1.2)                     # buildx stdlib_test.go
  timestamp_with_arg   = timestamp(1)
}
