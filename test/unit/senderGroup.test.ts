import { senderGroup } from '../../nodes/ImageUpscaleTrigger/verifyBudget';

// The trigger rations verification reads per sender: an IPv4 address, or an IPv6 /64 network (one
// host usually holds a whole /64, so counting its addresses apart would multiply its budget).
describe('senderGroup', () => {
	it.each([
		['203.0.113.7', '203.0.113.7'],
		['::ffff:203.0.113.7', '203.0.113.7'],
		['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
		['2001:db8:1:2::9', '2001:db8:1:2::/64'],
		['2001:DB8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
		['2001:db8::1', '2001:db8:0:0::/64'],
		['fe80::1%eth0', 'fe80:0:0:0::/64'],
		['::1', '0:0:0:0::/64'],
		['', ''],
	])('%s is the sender %s', (address, group) => {
		expect(senderGroup(address)).toBe(group);
	});
});
