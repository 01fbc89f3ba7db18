# regex, regexall, regex_replace (go-cty stdlib/regexp.go, string_replace.go; RE2 syntax;
# Terraform docs examples)
cases = {
  corpus_match         = [regex("[0-9]+\\.[0-9]+", "version 1.22.3"), "1.22"]          # corpus 213
  corpus_groups        = [regex("(\\d+)-(\\w+)", "12-abc"), ["12", "abc"], "tuple([string, string])"] # corpus 213
  corpus_named         = [regex("(?P<major>\\d+)\\.(?P<minor>\\d+)", "v3.14").minor, "14"] # corpus 213
  named_object         = [regex("(?P<major>\\d+)\\.(?P<minor>\\d+)", "v3.14"), { major = "3", minor = "14" }, "object({major=string, minor=string})"]
  tf_letters           = [regex("[a-z]+", "53453453.345345aaabbbccc23454"), "aaabbbccc"] # Terraform docs
  tf_date_groups       = [regex("(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)", "2019-02-01"), ["2019", "02", "01"]] # Terraform docs
  tf_url               = [regex("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?", "https://terraform.io/docs/"), { authority = "terraform.io", scheme = "https" }] # Terraform docs
  first_match_only     = [regex("a.", "a1a2"), "a1"]
  case_insensitive     = [regex("(?i)ABC", "xabcx"), "abc"]
  unmatched_group_null = [regex("(a)?(b)", "b"), [null, "b"]]                            # unmatched group is null
  non_capturing        = [regex("(?:ab)+", "ababx"), "abab"]
  empty_match          = [regex("x*", "abc"), ""]
  anchored             = [regex("^v(\\d+)$", "v42"), ["42"]]
  all_corpus           = [regexall("[a-z]+", "a1bc2def"), ["a", "bc", "def"], "list(string)"] # corpus 213
  all_none             = [length(regexall("x", "abc")), 0]                                # corpus 213
  all_tf               = [regexall("[a-z]+", "1234abcd5678efgh9"), ["abcd", "efgh"]]        # Terraform docs
  all_tf_count         = [length(regexall("[a-z]+", "1234abcd5678efgh9")), 2]              # Terraform docs
  all_groups           = [regexall("(\\d+)-(\\w)", "1-a 2-b"), [["1", "a"], ["2", "b"]]]
  all_named            = [regexall("(?P<k>\\w)=(?P<v>\\d)", "a=1,b=2"), [{ k = "a", v = "1" }, { k = "b", v = "2" }]]
  all_empty_matches    = [regexall("x*", "ab"), ["", "", ""]]
  replace_corpus       = [regex_replace("hello world", "o", "0"), "hell0 w0rld"]           # corpus 213
  replace_groups       = [regex_replace("2024-01-05", "(\\d+)-(\\d+)-(\\d+)", "$3/$2/$1"), "05/01/2024"] # corpus 213
  replace_braced       = [regex_replace("ab", "(a)", "$${1}x"), "axb"]                     # ${1}x: group 1 then x
  replace_name_greedy  = [regex_replace("ab", "(a)", "$1x"), "b"]                          # $1x is the (absent) group "1x"
  replace_named        = [regex_replace("k=v", "(?P<key>\\w)=(?P<val>\\w)", "$val=$key"), "v=k"]
  replace_dollar       = [regex_replace("a", "a", "$$"), "$"]                              # $$ in the template is a literal $
  replace_no_match     = [regex_replace("abc", "x", "y"), "abc"]
  replace_anchor       = [regex_replace("aaa", "^a", "b"), "baa"]
}
errors = {
  no_match             = regex("x", "abc")                    # corpus 214
  bad_pattern          = regex("[", "x")
  mixed_groups         = regex("(?P<a>x)(y)", "xy")           # cannot mix named and unnamed capture groups
  lookahead_rejected   = regex("a(?=b)", "ab")                # RE2 has no lookaround
  backreference        = regex("(a)\\1", "aa")
  all_bad_pattern      = regexall("(", "x")
  replace_bad_pattern  = regex_replace("a", "(", "b")
  regex_of_list        = regex("a", ["a"])
}
