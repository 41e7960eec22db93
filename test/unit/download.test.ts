import { baseNameOf } from '../../nodes/ImageUpscale/run/download';

describe('baseNameOf', () => {
	it.each([
		['https://example.com/shop/red%20shoe.jpg?w=2', 'red_shoe'],
		['https://example.com/100%.png', '100_'],
		['50% off.jpg', '50_off'],
		['photo.final.webp', 'photo.final'],
		['n41abc', 'n41abc'],
	])('%p -> %p', (input, name) => expect(baseNameOf(input)).toBe(name));

	it.each([undefined, '', 'https://example.com/', '%%%.png'])('gives no name for %p', (input) => expect(baseNameOf(input)).toBeUndefined());
});
