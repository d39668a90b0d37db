# The tutorial's app, kept for its shape; the image serves this directory instead.
import redis
from flask import Flask

app = Flask(__name__)
cache = redis.Redis(host="redis", port=6379)


@app.route("/")
def hello():
    return f"Hello World! I have been seen {cache.incr('hits')} times.\n"
