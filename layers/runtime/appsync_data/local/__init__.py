"""The local AppSync-compatible server (`make dev`): development only, never on the Lambda path.

One module one job: `state` (the git-ignored local folder), `tokens` (dev JWT issuer and JWT
checks), `credentials` (dev identity-pool credentials), `sigv4` (SigV4 checks), `authn` (which
auth mode a request uses and its AppSync `identity`), `graphql_schema` (the SDL as an executable
graphql-core schema with AppSync scalars and auth directives), `events` (the Lambda event for a
resolved field), `dynamodb` (moto's server, tables, snapshots), `server` (HTTP), `cli` (commands).
"""
