// dynalite as its own cli.js starts it (same options), but for one thing: a client that goes
// away in the middle of sending a request no longer takes the whole engine down. dynalite's
// request handler rethrows the request's 'aborted' error (architect/dynalite#183), so one
// client interrupted between a request's headers and its body (botocore sends them in two
// writes; a Ctrl-C test lands there now and then) refused every later test. DynamoDB drops such
// a request and serves the next; so does this.
'use strict'

const dynalite = require('dynalite')

// `--name value` pairs, numbers as numbers: all the options support/engines.py passes.
const argv = {}
const words = process.argv.slice(2)
for (let i = 0; i + 1 < words.length; i += 2) {
  const value = words[i + 1]
  argv[words[i].replace(/^--/, '')] = /^\d+$/.test(value) ? Number(value) : value
}

const server = dynalite(argv)

server.prependListener('request', (req) => {
  const on = req.on
  req.on = function (event, listener) {
    if (event !== 'error') return on.call(this, event, listener)
    return on.call(this, event, (err) => {
      if (err && err.code === 'ECONNRESET') {
        console.log('a client went away in the middle of a request: dropped')
        return
      }
      listener(err)
    })
  }
})

server.listen(argv.port, argv.host, () => {
  console.log('Dynalite listening at: http://%s:%s', argv.host, server.address().port)
})
