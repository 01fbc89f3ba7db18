# The ciphertext was made with `openssl pkeyutl -encrypt -pkeyopt rsa_padding_mode:pkcs1` of "hello bake".
variable "KEY" {
  default = <<EOT
-----BEGIN RSA PRIVATE KEY-----
MIICXQIBAAKBgQDtPYSL9WeOEMYsYryxON8bEyKxf8qTknri82jO59EwyiV2GxeL
LHVmX5CSofOumgp7unBjusSG+SUEs+mYBu2ihMXz77OrK+ddgrGCVtBHmqPB9tg3
BB3iD4sgj2ScGN0cc2zEBQl6HHGUBSIltLNoLIZTae8Ck0r4yFxsDC2ruQIDAQAB
AoGAN8pjxVYsyCgBsqZ1oWeyb/eMDRn0Vcf4xi5f02iItWSUcrXkT4JhCXYn1ZPo
boMjO/2YOJvPY75rijOVF39pmn6TU6/EIEhwoqnOt6Uj29ZVhKshH7q0CYeKDcdE
8GJmbL/j2ESAYyXzEA25pte0uzPYPmHeo7hFPBHzKv4bVAECQQD9D2bkwmvfdTmc
wtDQnlicSMjxAt97UZIW5A7t0AQckP1Tf1B9nVj4stwyN/XPJdLY9Nknz+xVt/bt
vtwnXItZAkEA7/8RV+KQFRWrEQe3xae38YJ0qPwHrJ0zipDJ/CltzlbmNk78MaKe
E+UnkNfn+/N05K+r6+31xMRvKgaoQbr3YQJAOs3ibhQTtxhpa9kFZwT0uFRdhUvS
nLhmxzT1lyN4YR78DvQNwzLWIuyFKJJCZ4F1jn7PG2ZAl+ao1bQ9OlRR+QJBAMOJ
OgQ039eN8/bIJv6vi7sF4y7bSRVmb1vyY99DkeeP/bk52VhHeiwThI0KnEQ3M4Iv
bw+mrZtHwJqpGeWUA4ECQQD0TOHlEJqZYyZ0UM5xJebOzfi64qHNUWJHrsKR8ioi
poJbmvz/OBmUY//NSpiT2dteB/LYBdocw764dCuN9rBh
-----END RSA PRIVATE KEY-----
EOT
}
target "default" {
  args = { PLAIN = rsadecrypt("Oh1voMIvElwlarGM06NHP94EhDvLQz0gl4n4NZ17IN3ilR+ZbAdzXATEHM+yK4V2Il6OhFcHOg2d2Al+0hQ46euL8dNDQPTvfgrnX3BueLXrHvdKXsLJFM/BR6q9JAgusPuvlsVw07H2V1Jb3rvMgV5H4HT4yzdUzCZG/uCF4qg=", KEY) }
}
