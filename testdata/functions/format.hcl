# format, formatlist (go-cty stdlib/format.go, format_fsm.go; Terraform docs examples)
cases = {
  corpus_mixed         = [format("%s-%03d-%.2f-%t-%q", "x", 7, 3.14159, true, "q"), "x-007-3.14-true-\"q\""] # corpus 202
  corpus_v             = [format("%v|%v", 5, "s"), "5|s"]                          # corpus 202
  tf_hello             = [format("Hello, %s!", "Ander"), "Hello, Ander!"]          # Terraform docs
  tf_lights            = [format("There are %d lights", 4), "There are 4 lights"]  # Terraform docs
  percent              = [format("100%%"), "100%"]
  no_verbs             = [format("plain"), "plain"]
  sharp_v_string       = [format("%#v", "hello"), "\"hello\""]                     # %#v is JSON
  sharp_v_tuple        = [format("%#v", [1, "a"]), "[1,\"a\"]"]
  sharp_v_number       = [format("%#v", 1.5), "1.5"]
  v_bool               = [format("%v", true), "true"]                              # non-string/number: JSON
  v_null               = [format("%v", null), "null"]                              # only %v accepts null
  v_object             = [format("%v", { b = 1, a = "x" }), "{\"a\":\"x\",\"b\":1}"]
  v_number_big         = [format("%v", 1000000), "1e+06"]                         # big.Float Text('g', -1)
  v_number_small       = [format("%v", 123456), "123456"]
  s_number_converted   = [format("%s", 1000000), "1000000"]                        # %s converts to string first
  s_bool               = [format("%s", true), "true"]
  width_right          = [format("%5s|", "ab"), "   ab|"]
  width_left           = [format("%-5s|", "ab"), "ab   |"]
  d_from_string        = [format("%d", "12"), "12"]
  d_plus               = [format("%+d", 5), "+5"]
  d_width_zero         = [format("%05d", -42), "-0042"]
  x_lower              = [format("%x", 255), "ff"]
  x_upper              = [format("%X", 255), "FF"]
  octal                = [format("%o", 8), "10"]
  binary               = [format("%b", 5), "101"]
  e_exponent           = [format("%e", 1500), "1.500000e+03"]
  f_default            = [format("%f", 3.5), "3.500000"]
  f_width_prec         = [format("%5.1f", 3.14159), "  3.1"]
  g_fraction           = [format("%g", 0.5), "0.5"]
  q_number             = [format("%q", 1), "\"1\""]
  q_escapes            = [format("%q", "a\"b"), "\"a\\\"b\""]
  t_from_string        = [format("%t", "false"), "false"]
  arg_index            = [format("%[2]s %[1]s", "a", "b"), "b a"]
  arg_index_reuse      = [format("%[1]s%[1]s", "ab"), "abab"]
  s_precision          = [format("%.2s", "abcdef"), "ab"]                          # precision truncates strings
  unicode_width        = [format("%3s|", "é"), "  é|"]                             # width counts characters
  formatlist_corpus    = [formatlist("%s=%s", ["a", "b"], ["1", "2"]), ["a=1", "b=2"], "list(string)"] # corpus 202
  formatlist_tf        = [formatlist("Hello, %s!", ["Valentina", "Ander"]), ["Hello, Valentina!", "Hello, Ander!"]] # Terraform docs
  formatlist_scalars   = [formatlist("%s, %s%s", "Salutations", ["Valentina", "Ander"], "!"), ["Salutations, Valentina!", "Salutations, Ander!"]] # Terraform docs
  formatlist_empty     = [formatlist("%s", []), []]
  formatlist_no_lists  = [formatlist("x%s", "y"), ["xy"]]                           # no sequences: one iteration
  formatlist_numbers   = [formatlist("%d", [1, 2]), ["1", "2"]]
}
errors = {
  d_fraction           = format("%d", 1.5)          # an integer is required
  missing_arg          = format("%s")               # not enough arguments
  too_many_args        = format("%s", "a", "b")     # too many arguments; only 1 used by format string
  extra_no_verbs       = format("x", "a")           # too many arguments; no verbs in format string
  unknown_verb         = format("%z", 1)
  d_of_word            = format("%d", "x")
  s_null               = format("%s", null)         # null value cannot be formatted
  t_of_number          = format("%t", 1)
  dangling_percent     = format("abc%")
  s_of_tuple           = format("%s", ["a"])
  formatlist_mismatch  = formatlist("%s %s", ["a"], ["b", "c"])
}
