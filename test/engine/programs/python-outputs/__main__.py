"""A Python program that needs no provider: one ComponentResource, config and stack outputs."""
import pulumi


class Greeting(pulumi.ComponentResource):
    def __init__(self, name: str, who: str, times: int, opts: pulumi.ResourceOptions | None = None):
        super().__init__("engine-test:index:Greeting", name, {}, opts)
        self.message = pulumi.Output.concat("hello, ", who)
        self.lines = self.message.apply(lambda message: [f"{i + 1}: {message}" for i in range(times)])
        self.register_outputs({"message": self.message, "lines": self.lines})


config = pulumi.Config()
failure = config.get("fail")
if failure:
    raise Exception(f"the program was told to fail: {failure}")

greeting = Greeting("greeting", config.require("who"), config.get_int("times") or 2)

pulumi.export("message", greeting.message)
pulumi.export("lines", greeting.lines)
pulumi.export("times", config.get_int("times") or 2)
pulumi.export("stack", pulumi.get_stack())
