# encoding: base64encode, base64decode, jsonencode, jsondecode, csvdecode, urlencode
# (go-cty-funcs encoding/base64.go, url.go; go-cty stdlib/json.go, csv.go)
cases = {
  b64_basic           = [base64encode("hello bake"), "aGVsbG8gYmFrZQ=="]  # corpus 209
  b64_empty           = [base64encode(""), ""]
  b64_unicode         = [base64encode("é"), "w6k="]
  b64_padding1        = [base64encode("ab"), "YWI="]
  b64_no_padding      = [base64encode("abc"), "YWJj"]
  b64d_basic          = [base64decode("aGVsbG8gYmFrZQ=="), "hello bake"]   # corpus 209
  b64d_unicode        = [base64decode("w6k="), "é"]
  b64d_empty          = [base64decode(""), ""]
  json_object_sorted  = [jsonencode({ b = [1, true, null], a = "x" }), "{\"a\":\"x\",\"b\":[1,true,null]}"] # corpus 209
  json_html_escaped   = [jsonencode("a<b>&c"), "\"a\\u003cb\\u003e\\u0026c\""] # Go encoding/json escapes <, >, &
  json_number_frac    = [jsonencode(1.5), "1.5"]
  json_number_big     = [jsonencode(10000000), "10000000"]
  json_number_exp     = [jsonencode(1e3), "1000"]
  json_null           = [jsonencode(null), "null"]
  json_empty_tuple    = [jsonencode([]), "[]"]
  json_empty_object   = [jsonencode({}), "{}"]
  json_string_escapes = [jsonencode("a\"b\n"), "\"a\\\"b\\n\""]
  json_nested_split   = [jsonencode(split(",", "a,,b")), "[\"a\",\"\",\"b\"]"] # corpus 202
  jsond_index         = [jsondecode("{\"k\": [1, 2]}").k[1], 2]                # corpus 209
  jsond_true          = [jsondecode("true"), true]
  jsond_null          = [jsondecode("null"), null]
  jsond_string        = [jsondecode("\"x\""), "x"]
  jsond_tuple         = [jsondecode("[1, \"a\"]"), [1, "a"], "tuple([number, string])"]
  jsond_object        = [jsondecode("{\"b\": 1, \"a\": \"x\"}"), { a = "x", b = 1 }, "object({a=string, b=number})"]
  jsond_number        = [jsondecode("1.25"), 1.25]
  csv_basic           = [csvdecode("name,port\napi,80\nweb,443\n"), [{ name = "api", port = "80" }, { name = "web", port = "443" }], "list(object({name=string, port=string}))"] # corpus 209
  csv_header_only     = [csvdecode("a,b\n"), []]
  csv_quoted          = [csvdecode("a\n\"x,y\"\n"), [{ a = "x,y" }]]
  csv_no_final_nl     = [csvdecode("a,b\n1,2"), [{ a = "1", b = "2" }]]
  url_basic           = [urlencode("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9"]      # corpus 209
  url_unreserved      = [urlencode("a~b-c_d.e"), "a~b-c_d.e"]
  url_empty           = [urlencode(""), ""]
  url_reserved        = [urlencode("?#%+"), "%3F%23%25%2B"]
}
errors = {
  b64d_invalid        = base64decode("!!")
  b64d_not_utf8       = base64decode("/w==")        # go-cty-funcs: result is not valid UTF-8
  jsond_invalid       = jsondecode("{")
  jsond_trailing      = jsondecode("1 2")
  csv_wrong_fields    = csvdecode("a,b\n1,2\n3\n")  # wrong number of fields
  csv_empty           = csvdecode("")               # missing header line
  b64_of_list         = base64encode(["a"])
}
